"""A per-address request limit for pages anyone can open without signing in.

Counts live in Django's cache (CACHES, from CACHE_URL), so every app node shares them when
the cache is Redis. A fixed window: at most `limit` requests from one address in each
`window` seconds."""

from __future__ import annotations

import hashlib
import logging
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.shortcuts import render

from audit.net import client_ip

logger = logging.getLogger(__name__)

DEFAULT_LIMIT = 30
DEFAULT_WINDOW = 10 * 60


def _key(scope: str, address: str, window: int) -> str:
    # The address is hashed so the cache holds no client addresses in clear.
    digest = hashlib.sha256(address.encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}:{int(time.time() // window)}"


def over_limit(request: HttpRequest, *, scope: str, limit: int, window: int) -> bool:
    """Count this request; True when the address has gone past its allowance."""
    key = _key(scope, client_ip(request), window)
    try:
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:
            # The window ended between add() and incr(): the first of the next one.
            cache.set(key, 1, timeout=window)
            count = 1
    except Exception as error:
        # With the cache out of reach the page still answers, unlimited, rather than fail
        # everyone it is meant for; /healthz reports the cache down.
        logger.warning("Rate limit %s not counted: %s", scope, type(error).__name__)
        return False
    return count > limit


def rate_limited(scope: str):
    """Answer 429 with a plain page once an address passes the limit for `scope`.
    LINKS_FEEDBACK_RATE_LIMIT and LINKS_FEEDBACK_RATE_WINDOW (seconds) override the
    defaults of 30 requests in 10 minutes."""

    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            limit = getattr(settings, "LINKS_FEEDBACK_RATE_LIMIT", DEFAULT_LIMIT)
            window = getattr(settings, "LINKS_FEEDBACK_RATE_WINDOW", DEFAULT_WINDOW)
            if over_limit(request, scope=scope, limit=limit, window=window):
                response = render(
                    request,
                    "referrals/feedback/rate_limited.html",
                    {"minutes": max(1, window // 60)},
                    status=429,
                )
                response["Retry-After"] = str(window)
                return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
