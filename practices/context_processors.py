from django.http import HttpRequest

from practices.roles import roles_of


def roles(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"roles": None}
    return {"roles": roles_of(user)}
