"""Bounded gzip/deflate decoding: the decoded-byte cap holds while the body streams.

httpx's own decoders inflate a whole network chunk at once (64 KB of gzip bomb gives
~65 MB), so `wirereader.fetch` reads raw bytes and inflates them here, at most `_STEP`
bytes per call, failing as soon as the cap is passed.
"""

from __future__ import annotations

import zlib

from wirereader.fetch._messages import Failure, size_text

_STEP = 256 * 1024  # most decoded bytes produced per inflate call


class Inflater:
    """Incremental gzip/deflate decoding that never produces more than the cap."""

    def __init__(self, coding: str, cap: int) -> None:
        self.coding = coding
        self.cap = cap
        self.total = 0
        self._d: zlib._Decompress | None = None

    def _new(self, first: bytes) -> zlib._Decompress:
        if self.coding == "gzip":
            return zlib.decompressobj(31)
        # deflate: zlib-wrapped as RFC 9110 says, or raw deflate as some servers send
        wrapped = len(first) >= 2 and first[0] & 0x0F == 8 and (first[0] * 256 + first[1]) % 31 == 0
        return zlib.decompressobj(15 if wrapped else -15)

    def feed(self, data: bytes, out: list[bytes]) -> None:
        if self._d is None:
            self._d = self._new(data)
        while data or not self._d.eof:
            if self._d.eof:  # another gzip member follows; anything after deflate is ignored
                if self.coding != "gzip":
                    return
                self._d = self._new(data)
            limit = min(self.cap - self.total + 1, _STEP)
            chunk = self._d.decompress(data, limit)
            self.total += len(chunk)
            if self.total > self.cap:
                raise Failure(
                    f"response larger than {size_text(self.cap)} after decompression — skipped"
                )
            out.append(chunk)
            data = self._d.unconsumed_tail or self._d.unused_data
            if not data and len(chunk) < limit:
                return  # input used up and no output held back

    def finish(self) -> None:
        if self._d is not None and not self._d.eof:
            raise Failure("invalid compressed response (truncated)")


def content_coding(header: str | None) -> str:
    codings = [c.strip().lower() for c in (header or "").split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if not codings:
        return "identity"
    if len(codings) == 1 and codings[0] in ("gzip", "x-gzip", "deflate"):
        return "deflate" if codings[0] == "deflate" else "gzip"
    raise Failure(f"unsupported content encoding: {', '.join(codings)}")
