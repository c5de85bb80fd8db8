"""Rate limits, and who is asking: the client's address, the one thing rate limits, API throttles
and the login lock-out count by.

Without trusted proxies (settings.TRUSTED_PROXIES empty) it is the socket's peer, REMOTE_ADDR:
whatever a client writes in X-Forwarded-For is ignored. Behind trusted proxies (a load balancer
that appends the address it sees to X-Forwarded-For), it is the right-most address of that header
that is not one of the proxies: everything left of it was written by the client and proves nothing.
DRF's throttles, the HTML rate limits and django-axes all call `client_address`.
"""

import ipaddress
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import cache

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _address(text: str) -> Address | None:
    """An address as proxies write it: `a.b.c.d`, `a.b.c.d:port`, `v6`, `[v6]` or `[v6]:port`."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def client_address(request: Any) -> str:
    """The address of the client behind `request` (a Django or DRF request), as a string."""
    meta = request.META
    remote = meta.get("REMOTE_ADDR", "") or ""
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    peer = _address(remote)
    if not networks or peer is None or not _trusted(peer, networks):
        return str(peer) if peer is not None else remote
    client = peer
    for hop in reversed(meta.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(hop)
        if address is None:
            # A trusted proxy wrote something that is no address: trust nothing further left.
            break
        client = address
        if not _trusted(address, networks):
            break
    return str(client)


def rate_limit_hit(*, key: str, limit: int, seconds: int) -> bool:
    """Count one use of `key`; True once more than `limit` uses fall in the window.

    Uses the shared cache (Redis when REDIS_URL is set, else the database), so all web processes
    count together.
    """
    cache_key = f"ratelimit:{key}"
    if cache.add(cache_key, 1, timeout=seconds):
        return False
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=seconds)
        return False
    return count > limit
