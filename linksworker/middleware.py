import logging

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

# Seconds a client is asked to wait before trying again.
RETRY_AFTER = 30


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


class NoStoreMiddleware:
    """Pages of a signed-in user carry patient data: browsers and proxies must not keep them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = "no-store, private"
        return response
