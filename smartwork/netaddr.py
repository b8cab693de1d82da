"""The client's network address behind the trusted reverse proxies (settings.TRUSTED_PROXY_COUNT).

Each proxy appends the address it received the request from to X-Forwarded-For, so with N trusted
proxies the client is the N-th entry from the right; everything left of it was sent by the client
and may be forged. With no trusted proxy (or a request that did not pass through all of them) the
address is the TCP peer, REMOTE_ADDR. Written here rather than taken from django-ipware, whose
default ('left-most') trusts the entry a client can forge and whose count excludes the last proxy.
"""

import contextlib
import ipaddress

from django.conf import settings


def client_address(request) -> str | None:
    """The address sign-in limits and lockouts are counted against (None: the request has no peer,
    as in a login made by code rather than over the network)."""
    peer = request.META.get("REMOTE_ADDR") or None
    if peer:
        with contextlib.suppress(ValueError):  # a peer that is no address (a unix socket) is counted as it is
            peer = _counted(peer)
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return peer
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return peer
    try:
        return _counted(forwarded[-proxies])
    except ValueError:
        return peer  # the proxy wrote something that is no address: count the peer, never a free text


def _counted(text: str) -> str:
    """An IPv4 address as it is; an IPv6 address as its /64 network's first address, since one
    subscriber usually holds a whole /64 (counting single addresses would give them 2^64 tries)."""
    address = ipaddress.ip_address(text)
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)
