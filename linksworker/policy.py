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


def practice_ids_in_aggregate_scope(user) -> frozenset[int] | None:
    """Practices whose records may be counted (never listed) for this user's figures;
    None: the whole programme."""
    roles = roles_of(user)
    return None if roles.sees_programme else roles.practice_ids


def participants_in_aggregate_scope(user) -> QuerySet[Participant]:
    """Participants whose records may be counted (never listed) for this user's figures."""
    practice_ids = practice_ids_in_aggregate_scope(user)
    if practice_ids is None:
        return Participant.objects.all()
    return Participant.objects.filter(practice_id__in=practice_ids)


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


# Community resources and referrals. The referral model is imported inside each function so
# this section stands apart from the imports above.


def can_view_resources(user) -> bool:
    """The directory of community resources is for anyone with a role in the programme."""
    roles = roles_of(user)
    return roles.sees_caseload or roles.sees_programme


def can_maintain_resources(user) -> bool:
    """CLPs and programme leads keep the directory up to date."""
    roles = roles_of(user)
    return roles.is_clp or roles.sees_programme


def referrals_visible_to(user) -> QuerySet:
    """Referral rows the user may open: those of participants in their practices (read-only
    for practice managers). Programme leads get none: aggregates only."""
    from referrals.models import Referral

    roles = roles_of(user)
    if roles.administrator:
        return Referral.objects.all()
    return Referral.objects.filter(participant__practice_id__in=roles.practice_ids)


def referrals_editable_by(user) -> QuerySet:
    """Referrals the user may change: those of participants in their CLP practices."""
    from referrals.models import Referral

    return Referral.objects.filter(participant__practice_id__in=roles_of(user).clp_practice_ids)


def referrals_in_aggregate_scope(user) -> QuerySet:
    """Referrals that may be counted (never listed) for this user's figures."""
    from referrals.models import Referral

    return Referral.objects.filter(participant__in=participants_in_aggregate_scope(user))


def can_read_referral_notes(user, referral) -> bool:
    """The CLP's note, and free text from the organisation, follow the participant's notes."""
    return can_read_notes(user, referral.participant)


def get_referral_for(user, pk: int, *, queryset: QuerySet | None = None):
    """Load one referral through the user's scope; anything else is a 404."""
    from referrals.models import Referral

    qs = queryset if queryset is not None else referrals_visible_to(user)
    try:
        return qs.select_related("participant__practice", "resource", "need", "clp").get(pk=pk)
    except Referral.DoesNotExist:
        raise Http404("No such referral.") from None


# Programme data import and export. The job model is imported inside each function so this
# section stands apart from the imports above.


def can_import_programme_data(user) -> bool:
    """Programme leads and administrators bring programme data in. The upload shows them
    counts and problems only, never the people in the files."""
    return roles_of(user).sees_programme


def can_export_programme_data(user) -> bool:
    """Exports carry names, CHI numbers and dates of birth: administrators only."""
    return roles_of(user).administrator


def import_jobs_visible_to(user) -> QuerySet:
    """A person's own imports: an upload holds identifiable data, so nobody else's."""
    from exchange.models import ImportJob

    if not can_import_programme_data(user):
        return ImportJob.objects.none()
    return ImportJob.objects.filter(created_by=user)


def get_import_job_for(user, pk: int):
    """Load one import through the user's scope; anything else is a 404."""
    from exchange.models import ImportJob

    try:
        return import_jobs_visible_to(user).get(pk=pk)
    except ImportJob.DoesNotExist:
        raise Http404("No such import.") from None
