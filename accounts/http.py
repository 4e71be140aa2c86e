"""The request a signed-in page receives, typed as such, and helpers for pages of rows."""

from collections.abc import Callable
from datetime import date
from urllib.parse import quote

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils import dateformat
from django.utils.http import RFC3986_SUBDELIMS

from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request behind `login_required` (every role gate includes it): its user is a member
    of staff, never anonymous. Only for type checking; Django still builds plain requests."""

    user: User


# A number no URL of ours holds: it stands in for the argument, then is replaced by each row's.
_STAND_IN = "8642097531"
_SAFE = RFC3986_SUBDELIMS + "/~:@"  # as django.urls.resolvers quotes a reversed path


# Paths of views that take no arguments, by script prefix and view name: they never change
# while the process runs (but for tests that change the URLconf).
_paths: dict[tuple[str, str], str] = {}


def path_to(viewname: str) -> str:
    """`reverse(viewname)`, for a view without arguments, looked up once per process. The
    navigation of every page links to a dozen views; reversing each afresh cost about as much
    as a trivial request."""
    key = (get_script_prefix(), viewname)
    path = _paths.get(key)
    if path is None:
        path = _paths[key] = reverse(viewname)
    return path


@receiver(setting_changed)
def _forget_paths(*, setting: str, **kwargs: object) -> None:
    if setting == "ROOT_URLCONF":
        _paths.clear()


def url_maker(viewname: str) -> Callable[[object], str]:
    """`reverse(viewname, args=[value])` for many values at the cost of one reverse: a list
    page builds a link or three per row, and each `{% url %}` resolves the pattern again
    (tens of microseconds; milliseconds a page). The value is quoted as `reverse` quotes it;
    a view whose path holds the stand-in more than once falls back to `reverse` itself."""
    prefix, *rest = reverse(viewname, args=[_STAND_IN]).split(_STAND_IN)
    if len(rest) != 1:
        return lambda value: reverse(viewname, args=[value])
    suffix = rest[0]
    return lambda value: prefix + quote(str(value), safe=_SAFE) + suffix


def _month_names() -> Callable[[date], str]:
    """Each date's month as `|date:"M"` writes it, formatted once a month (the filter
    formats each date afresh: tens of microseconds a cell)."""
    months: dict[int, str] = {}

    def name(day: date) -> str:
        found = months.get(day.month)
        if found is None:
            found = months[day.month] = dateformat.format(day, "M")
        return found

    return name


def short_dates() -> Callable[[date | None], str]:
    """`{{ day|date:"j M Y" }}` for a page of rows, the month's name looked up once a page.
    None gives ""."""
    month = _month_names()
    return lambda day: "" if day is None else f"{day.day} {month(day)} {day.year:04d}"


def month_dates() -> Callable[[date | None], str]:
    """`{{ day|date:"M Y" }}` for a page of rows, as `short_dates` does "j M Y"."""
    month = _month_names()
    return lambda day: "" if day is None else f"{month(day)} {day.year:04d}"
