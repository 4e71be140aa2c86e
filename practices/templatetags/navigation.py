"""The main navigation of every signed-in page, built in Python.

The navigation is on every page, and as a dozen `{% include %}`s and `{% url %}`s it took
about two milliseconds of each page's rendering: as much as a whole trivial request. Here it
is one tag, each link chosen by the user's roles and the current page marked. Labels are
ours and paths are reversed (quoted) ones; only the user's name is escaped."""

from __future__ import annotations

from django import template
from django.middleware.csrf import get_token
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from accounts.http import path_to
from practices.roles import Roles

register = template.Library()

_ACTIVE = ' active" aria-current="page'


def _link(current: str, name: str, label: str, extra: str = "") -> str:
    active = _ACTIVE if current == name else ""
    return (
        f'<li class="nav-item"><a class="nav-link{active}" href="{path_to(name)}">'
        f"{label}{extra}</a></li>"
    )


def _item(name: str, label: str) -> str:
    return f'<li><a class="dropdown-item" href="{path_to(name)}">{label}</a></li>'


def links(roles: Roles, current: str, unread_feedback: int) -> list[str]:
    """The main navigation's links for these roles, `current` (a view name) marked."""
    items = [_link(current, "home", "Home")]
    if roles.sees_caseload:
        items.append(_link(current, "participants:caseload", "Caseload"))
    if roles.is_clp or roles.is_practice_manager:
        items.append(_link(current, "followups:worklist", "Follow-ups"))
    if roles.is_clp or roles.administrator:
        items.append(_link(current, "safeguarding:list", "Safeguarding"))
    if roles.is_clp:
        badge = (
            f' <span class="badge text-bg-warning">{unread_feedback}'
            '<span class="visually-hidden"> new</span></span>'
            if unread_feedback
            else ""
        )
        items.append(_link(current, "referrals:answers", "Answers", badge))
    if roles.is_practice_manager:
        items.append(_link(current, "reports:practice_dashboard", "Dashboard"))
        items.append(_link(current, "referrals:list", "Referrals"))
        items.append(_link(current, "programme:survey_links", "Staff survey"))
    if roles.sees_programme:
        items.append(_link(current, "reports:programme_dashboard", "Dashboard"))
    if roles.is_clp or roles.sees_programme:
        items.append(_link(current, "resources:list", "Resources"))
    if roles.sees_programme:
        items.append(_link(current, "referrals:statistics", "Referral statistics"))
        items.append(_link(current, "reports:list", "Annual report"))
        menu = [
            _item("practices:list", "Practices"),
            _item("programme:staff", "Staff"),
            _item("programme:survey_rounds", "Staff survey"),
            _item("needs:list", "Needs"),
            _item("exchange:import", "Import data"),
        ]
        if roles.administrator:
            menu += [
                _item("exchange:export", "Export data"),
                '<li><hr class="dropdown-divider"></li>',
                _item("admin:index", "Administration"),
            ]
        items.append(
            '<li class="nav-item dropdown">'
            '<button class="nav-link dropdown-toggle" type="button" data-bs-toggle="dropdown" '
            'aria-expanded="false">Programme</button>'
            f'<ul class="dropdown-menu">{"".join(menu)}</ul></li>'
        )
    return items


@register.simple_tag(takes_context=True)
def main_nav(context: template.Context) -> SafeString:
    """The signed-in user's navigation: the links their roles open on the left; their name,
    role, password and sign-out on the right."""
    request = context["request"]
    user = request.user
    roles: Roles = context["roles"]
    match = request.resolver_match
    current = match.view_name if match else ""
    left = "\n".join(links(roles, current, user.unread_feedback if roles.is_clp else 0))
    token = get_token(request)  # letters and digits
    return mark_safe(  # noqa: S308 (every value above is escaped or ours)
        f'<ul class="navbar-nav me-auto">\n{left}\n</ul>\n'
        '<ul class="navbar-nav align-items-lg-center">'
        f'<li class="nav-item"><span class="navbar-text me-lg-3">{escape(user.display_name)} '
        f'<span class="d-none d-xxl-inline">· {roles.label}</span></span></li>'
        '<li class="nav-item"><a class="nav-link" '
        f'href="{path_to("accounts:password_change")}">Password</a></li>'
        '<li class="nav-item">'
        f'<form method="post" action="{path_to("accounts:logout")}">'
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
        '<button type="submit" class="btn btn-link nav-link">Sign out</button></form></li></ul>'
    )
