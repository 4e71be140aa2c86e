"""Filters for showing referrals and their figures."""

from collections.abc import Callable
from functools import lru_cache

from django import template
from django.utils.formats import localize
from django.utils.translation import get_language

register = template.Library()

# The badge of each status; the rest (declined, did not attend, closed) are grey.
STATUS_BADGES = {
    "engaged": "text-bg-success",
    "attended": "text-bg-warning",
    "referred": "text-bg-info",
    "suggested": "text-bg-light border",
}


@register.filter
def status_badge(status: str) -> str:
    """The badge classes of a referral status, wherever a status is shown."""
    return STATUS_BADGES.get(status, "text-bg-secondary")


@register.filter
def rate(value: float | None) -> str:
    """A percentage as the statistics show one ("42.5%"), or a dash when there is nothing to
    divide by: a filter, not an include, as the page shows a hundred and more of them."""
    return "—" if value is None else _percent(value, get_language())


def page_rate() -> Callable[[float | None], str]:
    """`rate` for one page of many: the language read once, not once a cell."""
    language = get_language()
    return lambda value: "—" if value is None else _percent(value, language)


# Percentages are rounded to one decimal (`referrals.figures.pct`): a thousand values in all,
# each localised once per language rather than once per cell.
@lru_cache(maxsize=4096, typed=True)
def _percent(value: float, language: str | None) -> str:
    return f"{localize(value)}%"
