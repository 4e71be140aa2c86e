"""The rows of a long table, rendered by Jinja2.

The Django template language resolves each `{{ value }}` through its lookups, localisation
and escaping: about twenty microseconds a value, five milliseconds for a page of 25 rows of
ten cells, more than a trivial request costs in all. Jinja2 compiles a template to Python and
renders the same rows in a fraction of that. So the busiest pages keep their page in the
Django language (the layout, forms, messages) and render only their table's rows here, from
values the view has already made (links by `url_maker`, dates by `short_dates`).

A row template ends in `.jinja` and lives beside the page's own template. Values are escaped
(autoescape on); a name the view did not pass is an error, not an empty cell."""

from typing import Any

from django.http import HttpRequest
from django.template import defaultfilters, engines
from django.utils import dateformat
from django.utils.safestring import SafeString, mark_safe
from jinja2 import Environment, StrictUndefined


def environment(**options: Any) -> Environment:
    # Django's backend passes its loader and defaults (autoescape on; Undefined, or
    # DebugUndefined under DEBUG): a missing name is a mistake in the view, so it fails.
    options.update(undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    options.pop("autoescape", None)
    env = Environment(autoescape=True, **options)
    env.filters["date"] = _date
    env.filters["linebreaksbr"] = _linebreaksbr
    return env


def _date(value: Any, format_string: str) -> str:
    """`{{ value|date:"M Y" }}` as the Django language writes it; nothing for no date."""
    return dateformat.format(value, format_string) if value else ""


def _linebreaksbr(value: Any) -> SafeString:
    """`{{ value|linebreaksbr }}` as the Django language writes it: escaped, then each line
    break a `<br>`."""
    return defaultfilters.linebreaksbr(value, autoescape=True)


def render_rows(
    template_name: str, context: dict[str, Any], request: HttpRequest | None = None
) -> SafeString:
    """`template_name` (a .jinja template) rendered with `context`, ready for a page. With the
    request, a form in it has `csrf_input`, the hidden field `{% csrf_token %}` writes."""
    html = engines["rows"].get_template(template_name).render(context, request)
    # Quotes as the Django language escapes them, so a page reads the same whichever
    # engine wrote a part of it (MarkupSafe writes &#39; and &#34;).
    html = html.replace("&#39;", "&#x27;").replace("&#34;", "&quot;")
    return mark_safe(html)  # noqa: S308 (Jinja2 escaped every value)
