from django.http import HttpRequest, HttpResponse


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
