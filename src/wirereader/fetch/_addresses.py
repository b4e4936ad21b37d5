"""Where a name leads, checked before and when a page or picture a feed points at is fetched.

A feed may make the reader fetch pages and pictures (full text, photos) on the strength
of a stranger's links; those must not reach loopback, private or link-local addresses
unless the feed itself lives there (README, Safety). A check of the URL alone stops
``http://10.0.0.1/`` but not a name that resolves there (``http://intranet.example/``,
a public name pointed at 127.0.0.1 or at a cloud metadata address), so:

* before each hop the name is resolved and every address it has is put to the caller's
  rule (`vet_addresses`: a clear error before anything is sent);
* when the connection is made, the name is resolved once more and the connection goes
  to an address that passed the rule, never to the name (`VettingBackend`). Without
  this, a name whose answer changes between the two lookups (DNS rebinding with a zero
  TTL) reached whatever it pointed at the second time.

A keep-alive connection opened earlier to the same host is re-used without a new lookup;
the check before the hop still applies to it. Through a proxy (``HTTP_PROXY``) the
proxy resolves the name, and only the check before the hop applies.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import urlsplit

import httpcore
import httpx

from wirereader.fetch._messages import Failure

#: ``(url, address) -> allowed?``: the caller's rule for one resolved address of a URL.
AddressRule = Callable[[str, str], bool]

#: The request being sent by this task and the rule its connection must pass, if any.
_CONNECTING: ContextVar[tuple[str, AddressRule] | None] = ContextVar(
    "wirereader_connecting", default=None
)


@contextmanager
def connecting_under(url: str, rule: AddressRule | None) -> Iterator[None]:
    """A connection opened for ``url`` inside this block goes only where ``rule`` allows."""
    token = _CONNECTING.set(None if rule is None else (url, rule))
    try:
        yield
    finally:
        _CONNECTING.reset(token)


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


async def vet_addresses(url: str, rule: AddressRule) -> None:
    """Raise `Failure` unless every address ``url``'s host resolves to passes ``rule``.

    An address literal is left to the URL-level check; a name that does not resolve is
    left to the request, which then fails as "host not found" like any other.
    """
    parts = urlsplit(url)
    host = parts.hostname
    if not host:
        raise Failure("unsupported URL")
    if _is_address(host):
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = await _resolve(host, port)
    except (OSError, UnicodeError):
        return
    _check(url, host, addresses, rule)


async def _resolve(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    # In the resolver's order, once each; an IPv6 scope id is not part of the address.
    return list(dict.fromkeys(str(info[4][0]).split("%", 1)[0] for info in infos))


def _check(url: str, host: str, addresses: Iterable[str], rule: AddressRule) -> None:
    for address in addresses:
        if not rule(url, address):
            raise Failure(f"{host} is on a private address ({address}): not fetched")


class VettingBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, connecting to vetted addresses under `connecting_under`.

    Outside such a block (feeds, which the user chose) it is the plain backend.
    """

    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        vetting = _CONNECTING.get()
        if vetting is None or _is_address(host):
            return await self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        url, rule = vetting
        try:
            addresses = await _resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"host not found: {host}") from exc
        _check(url, host, addresses, rule)
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure or httpcore.ConnectError(f"no address for {host}")

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return await self._inner.connect_unix_socket(path, timeout, socket_options)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def vetting_transport(limits: httpx.Limits, trust_env: bool) -> httpx.AsyncHTTPTransport:
    """httpx's own transport, its connections made through `VettingBackend`.

    httpx has no public hook for a network backend; its pool keeps one, and a test
    (test_addresses) fails if that ever stops being where connections come from.
    """
    transport = httpx.AsyncHTTPTransport(limits=limits, trust_env=trust_env)
    pool = transport._pool
    if isinstance(pool, httpcore.AsyncConnectionPool):
        pool._network_backend = VettingBackend(pool._network_backend)
    return transport
