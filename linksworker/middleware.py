import logging
import re

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

logger = logging.getLogger(__name__)

# Seconds a client is asked to wait before trying again.
RETRY_AFTER = 30

# No filter or search needs more: a longer value is an attack on the database (SQLite refuses
# LIKE patterns over 50,000 bytes), not a question. Form fields have their own max lengths.
MAX_QUERY_VALUE = 1_000
# A whole number of more digits than a 64-bit integer holds is nobody's id, count or year: on
# SQLite it overflows inside Django's choice fields (a server error, not a form error).
TOO_MANY_DIGITS = re.compile(r"\s*[-+]?\d{19,}\s*")


class DatabaseUnavailableMiddleware:
    """A database that cannot be reached in time, or a query stopped by the statement
    timeout (settings: DATABASE_CONNECT_TIMEOUT, DATABASE_STATEMENT_TIMEOUT), answers a
    plain 503 page at once rather than a 500, or a page that hangs. The page is drawn
    without the request, so it needs nothing from the database itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError):
            return None
        # The type only: a database's message can quote the data.
        logger.error("Database unavailable: %s", type(exception.__cause__ or exception).__name__)
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        response["Cache-Control"] = "no-store"
        return response


# The session's idle expiry is pushed on at most this often (seconds).
SESSION_TOUCH_SECONDS = 60
# Where the session keeps the time (whole seconds since the epoch) it was last saved.
SESSION_SEEN_KEY = "links_seen"


class SlidingSessionMiddleware:
    """Sessions end SESSION_COOKIE_AGE after they were last saved (the database's expiry
    date); a request that uses the session saves it again, pushing the expiry on, only when
    the last save is a minute old or more. A session in use thus ends between
    SESSION_COOKIE_AGE less a minute and SESSION_COOKIE_AGE after the last request, without
    a write to the sessions table on every request (as SESSION_SAVE_EVERY_REQUEST did). A
    request that never reads the session (/healthz, static files) leaves it alone; an empty
    session (nobody signed in) is never created here.

    Placed after SessionMiddleware, so that its change is saved by that middleware's
    response phase."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.accessed or session.is_empty():
            return response
        now = int(timezone.now().timestamp())
        seen = session.get(SESSION_SEEN_KEY)
        if (
            session.modified
            or not isinstance(seen, int)
            or not 0 <= now - seen < SESSION_TOUCH_SECONDS
        ):
            session[SESSION_SEEN_KEY] = now
        return response


class NoStoreMiddleware:
    """Pages of a signed-in user carry patient data: browsers and proxies must not keep them.
    Asking who is signed in reads the session and the user, as every page does; that is the
    fixed cost of a signed-in request, and /healthz, the benchmark's yardstick, pays it too
    (bench/README.md). Nothing is written: see SlidingSessionMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = "no-store, private"
        return response


def _holds_nul(params: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in params.lists())


def _holds_huge_number(params: QueryDict) -> bool:
    return any(TOO_MANY_DIGITS.fullmatch(v) for _, values in params.lists() for v in values)


class HostileInputMiddleware:
    """Refuse, with a 400 page, what no database should be asked: a NUL byte in the path or in
    any parameter (PostgreSQL refuses it in a string and the query fails with a server error),
    query values too long to be a filter, and numbers too large for any column. One check
    here, rather than one in every view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        reason = self._refusal(request)
        if reason:
            return render(request, "400.html", {"reason": reason}, status=400)
        return self.get_response(request)

    @staticmethod
    def _refusal(request: HttpRequest) -> str:
        if "\x00" in request.path or _holds_nul(request.GET):
            return "The address held a character that is not allowed."
        if any(len(v) > MAX_QUERY_VALUE for _, values in request.GET.lists() for v in values):
            return "The address was too long to be a search or a filter."
        if request.method == "POST" and _holds_nul(request.POST):
            return "The form held a character that is not allowed."
        if _holds_huge_number(request.GET) or (
            request.method == "POST" and _holds_huge_number(request.POST)
        ):
            return "A number was far too large to be one this system keeps."
        return ""
