"""Who may see what: the one place access to practice and participant data is decided.

Every view, export and task that touches participant data starts from a queryset here.
Records outside a user's scope are simply absent from these querysets, so views that load
through them answer 404 and reveal nothing about what exists elsewhere.

- CLPs see the participants of the practices they are attached to as CLP, with notes.
- Practice managers see their practice's caseload, without free-text notes or goals.
- Programme leads see aggregates only: no participant rows at all.
- Administrators (superusers) see everything.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from participants.models import Participant
from practices.models import Attachment, Practice, StaffRole


@dataclass(frozen=True)
class Roles:
    clp_practice_ids: frozenset[int]
    manager_practice_ids: frozenset[int]
    programme_lead: bool
    administrator: bool

    @property
    def is_clp(self) -> bool:
        return bool(self.clp_practice_ids)

    @property
    def is_practice_manager(self) -> bool:
        return bool(self.manager_practice_ids)

    @property
    def practice_ids(self) -> frozenset[int]:
        return self.clp_practice_ids | self.manager_practice_ids

    @property
    def sees_caseload(self) -> bool:
        return self.administrator or bool(self.practice_ids)

    @property
    def sees_programme(self) -> bool:
        return self.administrator or self.programme_lead

    @property
    def label(self) -> str:
        if self.administrator:
            return "Administrator"
        if self.programme_lead:
            return "Programme lead"
        if self.is_clp:
            return "CLP"
        if self.is_practice_manager:
            return "Practice manager"
        return "No role"


_NO_ROLES = Roles(frozenset(), frozenset(), False, False)


def roles_of(user) -> Roles:
    """The user's roles, read once per request and kept on the user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return _NO_ROLES
    cached = getattr(user, "_links_roles", None)
    if cached is not None:
        return cached
    clp, manager = set(), set()
    for practice_id, role in (
        Attachment.objects.current().filter(user=user).values_list("practice_id", "role")
    ):
        (clp if role == StaffRole.CLP else manager).add(practice_id)
    roles = Roles(
        clp_practice_ids=frozenset(clp),
        manager_practice_ids=frozenset(manager),
        programme_lead=user.is_programme_lead,
        administrator=user.is_superuser,
    )
    user._links_roles = roles
    return roles


def practices_visible_to(user) -> QuerySet[Practice]:
    roles = roles_of(user)
    if roles.sees_programme:
        return Practice.objects.all()
    return Practice.objects.filter(pk__in=roles.practice_ids)


def participants_visible_to(user) -> QuerySet[Participant]:
    """Participant rows the user may open. Programme leads get none: aggregates only."""
    roles = roles_of(user)
    if roles.administrator:
        return Participant.objects.all()
    return Participant.objects.filter(practice_id__in=roles.practice_ids)


def participants_editable_by(user) -> QuerySet[Participant]:
    """Participants whose records the user may change: those of their CLP practices."""
    return Participant.objects.filter(practice_id__in=roles_of(user).clp_practice_ids)


def participants_in_aggregate_scope(user) -> QuerySet[Participant]:
    """Participants whose records may be counted (never listed) for this user's figures."""
    roles = roles_of(user)
    if roles.sees_programme:
        return Participant.objects.all()
    return Participant.objects.filter(practice_id__in=roles.practice_ids)


def can_read_notes(user, participant: Participant) -> bool:
    """Free-text notes and goals are for the CLPs of the participant's practice."""
    roles = roles_of(user)
    return roles.administrator or participant.practice_id in roles.clp_practice_ids


def can_edit_participant(user, participant: Participant) -> bool:
    roles = roles_of(user)
    return participant.practice_id in roles.clp_practice_ids


def clp_practices(user) -> QuerySet[Practice]:
    """Practices where the user may register participants and log consultations."""
    return Practice.objects.filter(pk__in=roles_of(user).clp_practice_ids)


def get_participant_for(user, ref: str, *, queryset: QuerySet | None = None) -> Participant:
    """Load one participant through the user's scope; anything else is a 404."""
    qs = queryset if queryset is not None else participants_visible_to(user)
    try:
        return qs.select_related("practice", "clp").get(ref=ref)
    except Participant.DoesNotExist:
        raise Http404("No such participant.") from None
