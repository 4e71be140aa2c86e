"""Which practices a user's screens and figures cover, built on the roles primitive."""

from __future__ import annotations

from django.db.models import QuerySet

from practices.models import Practice
from practices.roles import AnyUser, roles_of


def practices_visible_to(user: AnyUser) -> QuerySet[Practice]:
    roles = roles_of(user)
    if roles.sees_programme:
        return Practice.objects.all()
    return Practice.objects.filter(pk__in=roles.practice_ids)


def practice_ids_in_aggregate_scope(user: AnyUser) -> frozenset[int] | None:
    """Practices whose records may be counted (never listed) for this user's figures;
    None: the whole programme."""
    roles = roles_of(user)
    return None if roles.sees_programme else roles.practice_ids


def clp_practices(user: AnyUser) -> QuerySet[Practice]:
    """Practices where the user may register participants and log consultations: not one
    that has left the programme."""
    return Practice.objects.in_programme().filter(pk__in=roles_of(user).clp_practice_ids)
