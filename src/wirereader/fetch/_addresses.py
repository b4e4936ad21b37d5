"""Where a name leads, asked before a page or picture a feed points at is requested.

A feed may make the reader fetch pages and pictures (full text, photos) on the strength
of a stranger's links; those must not reach loopback, private or link-local addresses
unless the feed itself lives there (README, Safety). A check of the URL alone stops
``http://10.0.0.1/`` but not a name that resolves there (``http://intranet.example/``,
a public name pointed at 127.0.0.1 or at a cloud metadata address), so before each hop
the name is resolved and every address it has is put to the caller's rule.

What remains: httpx resolves the name again when it connects, so a name whose answer
changes within that moment (DNS rebinding with a zero TTL) is not stopped here. Closing
that needs the connection made to the vetted address itself (an httpcore network
backend, or the URL rewritten to the address with ``sni_hostname``).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

from wirereader.fetch._messages import Failure

#: ``(url, address) -> allowed?``: the caller's rule for one resolved address of a URL.
AddressRule = Callable[[str, str], bool]


async def vet_addresses(url: str, rule: AddressRule) -> None:
    """Raise `Failure` unless every address ``url``'s host resolves to passes ``rule``.

    An address literal is left to the URL-level check; a name that does not resolve is
    left to the request, which then fails as "host not found" like any other.
    """
    parts = urlsplit(url)
    host = parts.hostname
    if not host:
        raise Failure("unsupported URL")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return
    for info in infos:
        address = str(info[4][0]).split("%", 1)[0]  # an IPv6 scope id is not part of it
        if not rule(url, address):
            raise Failure(f"{host} is on a private address ({address}): not fetched")
