"""Which practices a user's screens and figures cover, built on the roles primitive."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.prepared import Prepared
from practices.models import Practice
from practices.roles import AnyUser, roles_of


def _visible_practice_ids(user: AnyUser) -> frozenset[int] | None:
    """The practices a user's screens show; None: every practice."""
    roles = roles_of(user)
    return None if roles.sees_programme else roles.practice_ids


def sees_every_practice(user: AnyUser) -> bool:
    """Whether `practices_visible_to(user)` is every practice (a list may then read them
    by a query built once for everyone)."""
    return _visible_practice_ids(user) is None


def practices_visible_to(user: AnyUser) -> QuerySet[Practice]:
    ids = _visible_practice_ids(user)
    return Practice.objects.all() if ids is None else Practice.objects.filter(pk__in=ids)


# `practices_visible_to`'s ids and names, for a filter's choices: by SQL compiled once per
# process (`accounts.prepared`), as a list page builds them on every request.
_every_practice_choice = Prepared(lambda: Practice.objects.values_list("id", "name"))
_practice_choices = Prepared(
    lambda ids: Practice.objects.filter(pk__in=ids).values_list("id", "name")
)


def practice_choices_for(user: AnyUser) -> list[tuple[int, str]]:
    """The (id, name) of each practice `practices_visible_to(user)` gives, by name."""
    ids = _visible_practice_ids(user)
    return _every_practice_choice() if ids is None else _practice_choices(sorted(ids))


def practice_ids_in_aggregate_scope(user: AnyUser) -> frozenset[int] | None:
    """Practices whose records may be counted (never listed) for this user's figures;
    None: the whole programme."""
    roles = roles_of(user)
    return None if roles.sees_programme else roles.practice_ids


def clp_practices(user: AnyUser) -> QuerySet[Practice]:
    """Practices where the user may register participants and log consultations: not one
    that has left the programme."""
    return Practice.objects.in_programme().filter(pk__in=roles_of(user).clp_practice_ids)
