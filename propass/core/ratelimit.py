from django.core.cache import cache


def rate_limit_hit(*, key: str, limit: int, seconds: int) -> bool:
    """Count one use of `key`; True once more than `limit` uses fall in the window.

    Uses the shared cache (Redis when REDIS_URL is set), so all web processes count together.
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
