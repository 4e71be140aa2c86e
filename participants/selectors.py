"""Reading participant data. Every function starts from the access policy's querysets."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from linksworker.policy import participants_in_aggregate_scope, participants_visible_to
from participants.models import CaseStatus, Consultation, Participant

SORTS = {
    "name": ("last_name", "first_name", "ref"),
    "-name": ("-last_name", "-first_name", "-ref"),
    "ref": ("ref",),
    "-ref": ("-ref",),
    "last_contact": ("last_contact", "ref"),
    "-last_contact": ("-last_contact", "ref"),
    "referred": ("referred_on", "ref"),
    "-referred": ("-referred_on", "ref"),
}


def caseload_for(
    *,
    user,
    search: str = "",
    status: str = "",
    practice_id: int | None = None,
    clp_id: int | None = None,
    sort: str = "name",
) -> QuerySet[Participant]:
    """The caseload list: one row per participant with their contact figures."""
    qs = (
        participants_visible_to(user)
        .select_related("practice", "clp")
        .annotate(
            last_contact=Max("consultations__date", filter=Q(consultations__attended=True)),
            consultations_attended=Count("consultations", filter=Q(consultations__attended=True)),
        )
    )
    search = search.strip()
    if search:
        term = search.replace(" ", "")
        qs = qs.filter(
            Q(ref__iexact=search)
            | Q(chi=term)
            | Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
        )
    if status in CaseStatus.values:
        qs = qs.filter(status=status)
    if practice_id:
        qs = qs.filter(practice_id=practice_id)
    if clp_id:
        qs = qs.filter(clp_id=clp_id)
    return qs.order_by(*SORTS.get(sort, SORTS["name"]))


def participant_consultations(*, participant: Participant) -> QuerySet[Consultation]:
    return participant.consultations.select_related("clp").order_by("-date", "-id")


def clp_home_summary(*, user) -> dict:
    """What a CLP needs first: their own open cases, most recently seen first."""
    own = participants_visible_to(user).filter(clp=user)
    counts = own.aggregate(
        open=Count("id", filter=Q(status=CaseStatus.OPEN)),
        closed=Count("id", filter=Q(status=CaseStatus.CLOSED)),
    )
    recent = (
        own.filter(status=CaseStatus.OPEN)
        .select_related("practice")
        .annotate(last_contact=Max("consultations__date"))
        .order_by("-last_contact", "ref")[:10]
    )
    week_ago = timezone.localdate() - timedelta(days=7)
    seen_this_week = Consultation.objects.filter(
        clp=user, date__gte=week_ago, attended=True
    ).count()
    return {"counts": counts, "recent": list(recent), "seen_this_week": seen_this_week}


def caseload_by_clp(*, user) -> list[dict]:
    """Open and closed cases per CLP in the user's practices, counted by the database."""
    since = timezone.localdate() - timedelta(days=30)
    return list(
        participants_in_aggregate_scope(user)
        .values("practice__name", "clp__full_name", "clp__username")
        .annotate(
            open=Count("id", filter=Q(status=CaseStatus.OPEN), distinct=True),
            closed=Count("id", filter=Q(status=CaseStatus.CLOSED), distinct=True),
            seen_30_days=Count(
                "consultations",
                filter=Q(consultations__date__gte=since, consultations__attended=True),
            ),
        )
        .order_by("practice__name", "clp__full_name", "clp__username")
    )
