"""Filters for the referral statistics page."""

from django import template
from django.utils.formats import localize

register = template.Library()


@register.filter
def rate(value: float | None) -> str:
    """A percentage as the statistics show one ("42.5%"), or a dash when there is nothing to
    divide by: a filter, not an include, as the page shows a hundred and more of them."""
    return "—" if value is None else f"{localize(value)}%"
