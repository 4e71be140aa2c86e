from django.http import HttpRequest

from linksworker.policy import roles_of


def roles(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"roles": None}
    return {"roles": roles_of(user)}
