"""Reading participant data. Every function starts from the access policy's querysets."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from accounts.prepared import Prepared, PreparedPages
from participants.access import (
    followup_practice_ids,
    followup_shown_to,
    followups_visible_to,
    participants_visible_to,
)
from participants.dates import FOLLOW_UP_MONTHS, add_months
from participants.measures import eq5d_level, hads_band, ons4_band
from participants.models import (
    OPEN_FOLLOW_UP_STATUSES,
    Assessment,
    CaseStatus,
    Consultation,
    ConsultationMode,
    FollowUp,
    FollowUpStatus,
    Need,
    Participant,
    ParticipantNeed,
    RiskFlag,
    StatusChange,
    Timepoint,
)
from practices.access import practice_ids_in_aggregate_scope
from practices.listing import MergedByPractice, PagedByIds, merged_by_practice
from practices.models import Practice
from practices.roles import roles_of

M = TypeVar("M")

# Empty dates sort last in both directions: someone never seen, or with nothing booked, is
# never what a CLP sorting by date is looking for first.
SORTS = {
    "name": ("last_name", "first_name", "ref"),
    "-name": ("-last_name", "-first_name", "-ref"),
    "ref": ("ref",),
    "-ref": ("-ref",),
    "last_contact": (F("last_contact").asc(nulls_last=True), "ref"),
    "-last_contact": (F("last_contact").desc(nulls_last=True), "ref"),
    "referred": ("referred_on", "ref"),
    "-referred": ("-referred_on", "ref"),
    "next_contact": (F("next_contact_on").asc(nulls_last=True), "ref"),
    "-next_contact": (F("next_contact_on").desc(nulls_last=True), "ref"),
    # The due date is always nine months after the baseline, so the baseline orders it.
    "follow_up": (F("baseline_on").asc(nulls_last=True), "ref"),
    "-follow_up": (F("baseline_on").desc(nulls_last=True), "ref"),
}

# The caseload's follow-up filter: a follow-up's state, "scheduled" also covering baselines
# whose follow-up the daily job has not created yet, and "none" for no baseline at all.
FOLLOW_UP_FILTERS = [
    (FollowUpStatus.OVERDUE.value, "Overdue"),
    (FollowUpStatus.DUE.value, "Due"),
    (FollowUpStatus.SCHEDULED.value, "Scheduled"),
    (FollowUpStatus.COMPLETED.value, "Completed"),
    (FollowUpStatus.MISSED.value, "Missed"),
    (FollowUpStatus.DECLINED.value, "Declined"),
    (FollowUpStatus.NOT_APPLICABLE.value, "Not applicable"),
    ("none", "No baseline yet"),
]


def active_flags_prefetch(path: str = "risk_flags") -> Prefetch:
    """The active flags of each participant listed, in one query for the whole page, on
    `active_flags`. Kinds only are shown on lists; reasons are on the participant's page."""
    return Prefetch(
        path,
        queryset=RiskFlag.objects.active().only("participant", "kind").order_by("kind"),
        to_attr="active_flags",
    )


@dataclass(frozen=True)
class ParticipantFlags:
    active: list[RiskFlag]
    ended: list[RiskFlag]


_flags_of = Prepared(
    lambda participant_id: RiskFlag.objects.filter(participant_id=participant_id).select_related(
        "set_by", "ended_by"
    )
)


def participant_flags(*, participant: Participant) -> ParticipantFlags:
    """Every flag the participant has had, in one query: the active ones and the history."""
    flags = _of(participant, _flags_of(participant.pk))
    return ParticipantFlags(
        active=[f for f in flags if f.is_active], ended=[f for f in flags if not f.is_active]
    )


def _attended():
    return Consultation.objects.filter(participant=OuterRef("pk"), attended=True)


def last_attended_on():
    """The one definition of a participant's "last contact": their latest attended
    consultation. A did-not-attend is not contact."""
    return Subquery(_attended().order_by("-date").values("date")[:1])


def _with_figures(qs: QuerySet[Participant]) -> QuerySet[Any]:
    """A caseload row: the participant with their practice, CLP, active flags and figures."""
    attended_count = (
        _attended().order_by().values("participant").annotate(n=Count("id")).values("n")
    )
    baseline = Assessment.objects.filter(
        participant=OuterRef("pk"), timepoint=Timepoint.BASELINE
    ).values("date")[:1]
    latest_follow_up = FollowUp.objects.filter(participant=OuterRef("pk")).order_by("-due_on")
    return (
        qs.select_related("practice", "clp")
        .prefetch_related(active_flags_prefetch())
        .annotate(
            last_contact=last_attended_on(),
            consultations_attended=Coalesce(
                Subquery(attended_count, output_field=IntegerField()), 0
            ),
            baseline_on=Subquery(baseline),
            follow_up_status=Subquery(latest_follow_up.values("status")[:1]),
        )
    )


# A page of the caseload's rows by id (the ids read through the user's scope and filters),
# built and compiled once per process: the figures' four subqueries cost more to build and
# compile than to run.
_caseload_rows = Prepared(lambda ids: _with_figures(Participant.objects.filter(pk__in=ids)))


def caseload_for(
    *,
    user: User,
    search: str = "",
    status: str = "",
    practice_id: int | None = None,
    clp_id: int | None = None,
    need_id: int | None = None,
    quintile: int | None = None,
    follow_up: str = "",
    sort: str = "name",
    figures: bool = True,
) -> QuerySet[Participant]:
    """The caseload list: one row per participant with their contact figures. Figures come
    from correlated subqueries rather than joins, so one participant's many consultations
    never multiply another figure. With `figures=False`, for a listing that reads only the
    ids and loads its rows by id (`caseload_listing`), the figures are left out unless a
    filter or the order needs them: building them is a good part of the page's Python."""
    qs: QuerySet[Any] = participants_visible_to(user)
    if figures or follow_up or not _by_columns(sort):
        qs = _with_figures(qs)
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
    if need_id:
        qs = qs.filter(
            Exists(
                ParticipantNeed.objects.filter(
                    participant=OuterRef("pk"), need_id=need_id, resolved_on__isnull=True
                )
            )
        )
    if quintile == 0:
        qs = qs.filter(simd_quintile__isnull=True)
    elif quintile:
        qs = qs.filter(simd_quintile=quintile)
    if follow_up == "none":
        qs = qs.filter(baseline_on__isnull=True)
    elif follow_up == FollowUpStatus.SCHEDULED:
        qs = qs.filter(
            Q(follow_up_status=follow_up)
            | Q(follow_up_status__isnull=True, baseline_on__isnull=False)
        )
    elif follow_up in FollowUpStatus.values:
        qs = qs.filter(follow_up_status=follow_up)
    return qs.order_by(*SORTS.get(sort, SORTS["name"]))


def caseload_listing(
    qs: QuerySet[Participant], *, user: User, sort: str = "name"
) -> QuerySet[Participant] | MergedByPractice[Participant] | PagedByIds[Participant]:
    """What the caseload list pages through (`caseload_for`'s queryset): in an order of
    columns (by name, the usual one, has an index per practice), each of a user's few
    practices' first rows, merged (`practices.listing`), so that practices of thousands are
    not sorted together for a page of 25; the queryset itself otherwise."""
    if not _by_columns(sort):
        return qs
    columns = [term for term in SORTS.get(sort, SORTS["name"]) if isinstance(term, str)]
    return merged_by_practice(qs, roles_of(user), columns, rows=_caseload_rows)


def _by_columns(sort: str) -> bool:
    """Whether the caseload's order is of plain columns (none of the figures)."""
    return all(isinstance(term, str) for term in SORTS.get(sort, SORTS["name"]))


def follow_up_due_on(baseline_on: date | None) -> date | None:
    return add_months(baseline_on, FOLLOW_UP_MONTHS) if baseline_on else None


def usual_mode_of(*, user: User) -> str:
    """The mode of the CLP's latest consultation: the default for their next one."""
    latest = (
        Consultation.objects.filter(clp=user).order_by("-date", "-id").values_list("mode").first()
    )
    return latest[0] if latest else ConsultationMode.PRACTICE


@dataclass(frozen=True)
class TimelineEntry:
    on: date
    kind: str  # consultation, assessment, need, need_resolved, status, referred
    item: object


@dataclass
class ParticipantRecord:
    """A participant's page: the timeline and the summary, from one read of each related
    table (the summary's needs, assessments and follow-up are the timeline's)."""

    timeline: list[TimelineEntry]
    summary: dict


# A participant's own rows, for their page: each query built and compiled once per process
# (`accounts.prepared`); building them cost more than running them.
_consultations_of = Prepared(
    lambda participant_id: Consultation.objects.filter(
        participant_id=participant_id
    ).select_related("clp")
)
_needs_discussed_of = Prepared(
    lambda participant_id: (
        Consultation.needs_discussed.through.objects.filter(
            consultation__participant_id=participant_id
        )
        .select_related("need")
        .order_by("need__domain", "need__name")
    )  # the needs' own order
)
_assessments_of = Prepared(
    lambda participant_id: Assessment.objects.filter(participant_id=participant_id)
)
_needs_of = Prepared(
    lambda participant_id: ParticipantNeed.objects.filter(
        participant_id=participant_id
    ).select_related("need")
)
_status_changes_of = Prepared(
    lambda participant_id: StatusChange.objects.filter(
        participant_id=participant_id
    ).select_related("by")
)
_follow_ups_of = Prepared(
    lambda participant_id: FollowUp.objects.filter(participant_id=participant_id)
)


def _of(participant: Participant, rows: list[M]) -> list[M]:
    """The rows with their participant already known, as a related manager leaves them."""
    for row in rows:
        row.participant = participant  # type: ignore[attr-defined]
    return rows


def participant_record(*, participant: Participant) -> ParticipantRecord:
    """Everything that happened to a participant, newest first, and the summary beside it:
    a fixed number of queries whatever the length of the record."""
    consultations = _of(participant, _consultations_of(participant.pk))
    discussed: dict[int, list[Need]] = {}
    for link in _needs_discussed_of(participant.pk):
        discussed.setdefault(link.consultation_id, []).append(link.need)
    for consultation in consultations:
        # The needs discussed at each, for the timeline (`needs_discussed` is not read).
        consultation.discussed = discussed.get(consultation.pk, [])  # type: ignore[attr-defined]
    assessments = _of(participant, _assessments_of(participant.pk))
    needs = _of(participant, _needs_of(participant.pk))
    changes = _of(participant, _status_changes_of(participant.pk))
    follow_ups = _of(participant, _follow_ups_of(participant.pk))
    entries = [TimelineEntry(participant.referred_on, "referred", participant)]
    entries += [TimelineEntry(c.date, "consultation", c) for c in consultations]
    entries += [TimelineEntry(a.date, "assessment", a) for a in assessments]
    for pn in needs:
        entries.append(TimelineEntry(pn.identified_on, "need", pn))
        if pn.resolved_on:
            entries.append(TimelineEntry(pn.resolved_on, "need_resolved", pn))
    entries += [TimelineEntry(sc.on, "status", sc) for sc in changes]
    entries += [
        TimelineEntry(f.closed_on or f.due_on, "follow_up", f)
        for f in follow_ups
        if f.status != FollowUpStatus.COMPLETED
    ]
    order = {"status": 0, "assessment": 1, "consultation": 2, "need_resolved": 3, "need": 4}
    entries.sort(key=lambda e: (e.on, -order.get(e.kind, 5)), reverse=True)
    summary = _summary(assessments=assessments, needs=needs, follow_ups=follow_ups)
    return ParticipantRecord(timeline=entries, summary=summary)


def _ons4(question: str) -> Callable[[Any], str | None]:
    def band(score: Any) -> str | None:
        return ons4_band(question=question, score=score)

    return band


# Every measure shown on the participant and assessment pages: the Assessment field, its
# label, and the function that names its band (None where the measure has no bands). A row
# added here shows everywhere the outcomes table does.
OUTCOME_MEASURES: list[tuple[str, str, Callable[[Any], str | None] | None]] = [
    ("hads_anxiety", "HADS anxiety (0–21)", hads_band),
    ("hads_depression", "HADS depression (0–21)", hads_band),
    ("exercise_days", "Days active 30+ minutes (0–7)", None),
    ("wemwbs_total", "WEMWBS (14–70)", None),
    ("swemwbs", "SWEMWBS metric score (7–35)", None),
    ("eq5d_index", "EQ-5D-5L index, England (−0.285–1)", None),
    ("eq5d_mobility", "EQ-5D mobility (1–5)", eq5d_level),
    ("eq5d_self_care", "EQ-5D self-care (1–5)", eq5d_level),
    ("eq5d_usual_activities", "EQ-5D usual activities (1–5)", eq5d_level),
    ("eq5d_pain_discomfort", "EQ-5D pain or discomfort (1–5)", eq5d_level),
    ("eq5d_anxiety_depression", "EQ-5D anxiety or depression (1–5)", eq5d_level),
    ("eq5d_vas", "EQ-5D health today (0–100)", None),
    ("ons_life_satisfaction", "ONS4 life satisfaction (0–10)", _ons4("life_satisfaction")),
    ("ons_worthwhile", "ONS4 things done are worthwhile (0–10)", _ons4("worthwhile")),
    ("ons_happiness", "ONS4 happy yesterday (0–10)", _ons4("happiness")),
    ("ons_anxiety", "ONS4 anxious yesterday (0–10)", _ons4("anxiety")),
]


def _band(band: Callable[[Any], str | None] | bool | None, score: Any) -> str | None:
    # True is the older spelling of "HADS bands", kept so rows written that way still work.
    if band is True:
        return hads_band(score)
    return band(score) if callable(band) and score is not None else None


@dataclass(frozen=True)
class OutcomeRow:
    label: str
    baseline: Any
    follow_up: Any
    baseline_band: str | None
    follow_up_band: str | None

    @property
    def change(self) -> Any:
        if self.baseline is None or self.follow_up is None:
            return None
        return round(self.follow_up - self.baseline, 3)


def outcome_rows(*, baseline: Assessment | None, follow_up: Assessment | None) -> list[OutcomeRow]:
    """Baseline and follow-up scores side by side; a measure appears once either has it."""
    rows = []
    for field, label, band in OUTCOME_MEASURES:
        b = getattr(baseline, field, None) if baseline else None
        f = getattr(follow_up, field, None) if follow_up else None
        if b is None and f is None:
            continue
        rows.append(
            OutcomeRow(
                label=label,
                baseline=b,
                follow_up=f,
                baseline_band=_band(band, b),
                follow_up_band=_band(band, f),
            )
        )
    return rows


def participant_outcomes(*, participant: Participant) -> dict:
    """The outcomes table for the assessment page: baseline and follow-up in one query."""
    by_timepoint = {a.timepoint: a for a in participant.assessments.all()}
    baseline = by_timepoint.get(Timepoint.BASELINE)
    follow_up = by_timepoint.get(Timepoint.FOLLOW_UP)
    return {
        "outcomes": outcome_rows(baseline=baseline, follow_up=follow_up),
        "baseline": baseline,
        "follow_up": follow_up,
    }


def _summary(*, assessments: list, needs: list, follow_ups: list) -> dict:
    """Current needs with their domains (complexity), and baseline/follow-up side by side."""
    current_needs = [pn for pn in needs if pn.resolved_on is None]
    domains = sorted({pn.need.get_domain_display() for pn in current_needs})
    by_timepoint = {a.timepoint: a for a in assessments}
    baseline = by_timepoint.get(Timepoint.BASELINE)
    follow_up = by_timepoint.get(Timepoint.FOLLOW_UP)
    record = next((f for f in follow_ups if baseline and f.baseline_id == baseline.pk), None)
    return {
        "outcomes": outcome_rows(baseline=baseline, follow_up=follow_up),
        "current_needs": current_needs,
        "domains": domains,
        "complexity": len(domains),
        "baseline": baseline,
        "follow_up": follow_up,
        "follow_up_due_on": follow_up_due_on(baseline.date) if baseline else None,
        "follow_up_record": record,
        # A closed case still takes its nine-month measures while the follow-up is open.
        "follow_up_open": record is not None and record.status in OPEN_FOLLOW_UP_STATUSES,
    }


def participant_consultations(*, participant: Participant) -> QuerySet[Consultation]:
    return participant.consultations.select_related("clp").order_by("-date", "-id")


def clp_home_summary(*, user: User) -> dict:
    """What a CLP needs first: their own open cases, most recently seen first."""
    own = participants_visible_to(user).filter(clp=user)
    counts = own.aggregate(
        open=Count("id", filter=Q(status=CaseStatus.OPEN)),
        closed=Count("id", filter=Q(status=CaseStatus.CLOSED)),
    )
    recent = (
        own.filter(status=CaseStatus.OPEN)
        .select_related("practice")
        .annotate(last_contact=last_attended_on())
        .order_by(F("last_contact").desc(nulls_last=True), "ref")[:10]
    )
    week_ago = timezone.localdate() - timedelta(days=7)
    seen_this_week = Consultation.objects.filter(
        clp=user, date__gte=week_ago, attended=True
    ).count()
    return {"counts": counts, "recent": list(recent), "seen_this_week": seen_this_week}


def caseload_by_clp(*, user: User) -> list[Mapping[str, Any]]:
    """Open and closed cases per CLP in the user's practices, counted by the database, with
    the attended consultations of their participants in the last 30 days. One query.

    The cases are grouped by practice and CLP ids first, read in that order from
    `participant_practice_clp_idx` alone, and only the groups are joined to the practices'
    and CLPs' names: joined first, the names of each of a dense practice's 20,000
    participants were sorted. The consultations are counted from the practice and
    participant's CLP each consultation carries (kept by the database: participants
    migration 0018), one range of a practice's index by date, read alone; counted through
    each participant, a practice of 20,000 took a probe of the consultations' index for every
    one of them, however few were seen (bench/NOTES.md)."""
    since = timezone.localdate() - timedelta(days=30)
    practice_ids = practice_ids_in_aggregate_scope(user)
    if practice_ids is not None and not practice_ids:
        return []
    scope, ids = "", []
    if practice_ids is not None:
        ids = sorted(practice_ids)
        scope = "AND practice_id IN ({})".format(", ".join(["%s"] * len(ids)))
    with connection.cursor() as cursor:
        cursor.execute(
            _CASELOAD_BY_CLP_SQL.format(scope=scope),
            [CaseStatus.OPEN, CaseStatus.CLOSED, *ids, since, *ids],
        )
        return [dict(zip(_CASELOAD_BY_CLP_KEYS, row, strict=True)) for row in cursor.fetchall()]


_CASELOAD_BY_CLP_KEYS = (
    "practice__name",
    "clp__full_name",
    "clp__username",
    "open",
    "closed",
    "seen_30_days",
)
_CASELOAD_BY_CLP_SQL = (
    "SELECT pr.name, u.full_name, u.username, c.open, c.closed, COALESCE(s.n, 0) "  # noqa: S608 (names)
    "FROM (SELECT practice_id, clp_id, COUNT(*) FILTER (WHERE status = %s) AS open, "
    "COUNT(*) FILTER (WHERE status = %s) AS closed "
    f"FROM {Participant._meta.db_table} WHERE TRUE {{scope}} GROUP BY practice_id, clp_id) c "
    f"JOIN {Practice._meta.db_table} pr ON pr.id = c.practice_id "
    f"JOIN {User._meta.db_table} u ON u.id = c.clp_id "
    "LEFT JOIN (SELECT practice_id, caseload_clp_id, COUNT(*) AS n "
    f"FROM {Consultation._meta.db_table} WHERE attended AND date >= %s {{scope}} "
    "GROUP BY practice_id, caseload_clp_id) s "
    "ON s.practice_id = c.practice_id AND s.caseload_clp_id = c.clp_id "
    "ORDER BY pr.name, u.full_name, u.username"
)


# A dense practice's CLP may hold thousands of open follow-ups: the worklist is read a page
# at a time, larger than other lists' because it is worked through top to bottom, yet small
# enough to come quickly (each row is a participant, a practice and their flags).
WORKLIST_PAGE_SIZE = 50


@dataclass
class Worklist:
    """One page of open follow-ups, grouped, and how many each group holds in all."""

    overdue: list
    due_now: list
    due_soon: list
    overdue_count: int = 0
    due_now_count: int = 0
    due_soon_count: int = 0
    page: Page | None = None

    @property
    def total(self) -> int:
        return self.overdue_count + self.due_now_count + self.due_soon_count


def _groups(today: date) -> tuple[Q, Q]:
    """Overdue, and due now or later this week; the rest of the open ones are due soon."""
    return _groups_to(_week_end(today))


def _week_end(today: date) -> date:
    return today + timedelta(days=6 - today.weekday())


def _groups_to(week_end: date) -> tuple[Q, Q]:
    overdue = Q(status=FollowUpStatus.OVERDUE)
    return overdue, ~overdue & (Q(status=FollowUpStatus.DUE) | Q(due_on__lte=week_end))


def _in_groups(qs: QuerySet[FollowUp], week_end: date) -> QuerySet[Any]:
    """Each follow-up's group: 0 overdue, 1 due now or later this week, 2 due soon."""
    overdue, due_now = _groups_to(week_end)
    return qs.annotate(group=Case(When(overdue, then=0), When(due_now, then=1), default=2))


def _worklist_rows(qs: QuerySet[FollowUp]) -> QuerySet[FollowUp]:
    return (
        qs.select_related("participant", "participant__practice")
        # Of the baseline assessment (some sixty columns of measures) the page shows the date.
        .annotate(baseline_on=F("baseline__date"))
        .prefetch_related(active_flags_prefetch("participant__risk_flags"))
    )


# What a worklist row shows, and the scope check reads (the participant's own practice): a
# participant has some thirty columns, and a page fifty rows.
_WORKLIST_COLUMNS = (
    "due_on",
    "status",
    "participant",
    "participant__ref",
    "participant__first_name",
    "participant__last_name",
    "participant__status",
    "participant__practice",
    "participant__practice__name",
)

# A page of the CLP's worklist by id (read through the scope, in order), with each row's
# group as of the week's end: built and compiled once per process.
_worklist_page = Prepared(
    lambda ids, week_end: _in_groups(
        _worklist_rows(FollowUp.objects.filter(pk__in=ids)).only(*_WORKLIST_COLUMNS), week_end
    )
)


def _counts(rows: QuerySet[FollowUp], *, today: date) -> dict[str, int]:
    overdue, due_now = _groups(today)
    return rows.order_by().aggregate(
        overdue=Count("id", filter=overdue), due_now=Count("id", filter=due_now), total=Count("id")
    )


def _counted(counts: Mapping[str, int]) -> Worklist:
    return Worklist(
        [],
        [],
        [],
        overdue_count=counts["overdue"],
        due_now_count=counts["due_now"],
        due_soon_count=counts["total"] - counts["overdue"] - counts["due_now"],
    )


def _own_open_followups(user: User) -> QuerySet[FollowUp]:
    """The open follow-ups of the CLP's own participants in their practices, from the
    practice and CLP each follow-up carries: one index, not a probe per participant."""
    return followups_visible_to(user).filter(clp=user, status__in=OPEN_FOLLOW_UP_STATUSES)


# How many of a CLP's open follow-ups in their practices are in each group as of a week's
# end (`_in_groups`): built and compiled once per process.
def _own_open_in_groups(practice_ids: list[int], clp_id: int, week_end: date) -> QuerySet[Any]:
    """A CLP's open follow-ups in these practices, each with its group (`_in_groups`)."""
    return _in_groups(
        FollowUp.objects.filter(
            practice_id__in=practice_ids, clp_id=clp_id, status__in=OPEN_FOLLOW_UP_STATUSES
        ),
        week_end,
    )


_own_open_by_group = Prepared(
    lambda practice_ids, clp_id, week_end: (
        _own_open_in_groups(practice_ids, clp_id, week_end)
        .order_by()
        .values_list("group")
        .annotate(n=Count("id"))
    )
)


# The worklist's order: by group, then date; a day's by participant, in the order they were
# registered (their ids: what their opaque refs, P1000 on, would give, but for the refs'
# lengths), which reads no participant.
WORKLIST_ORDER = ("group", "due_on", "participant_id", "id")

# The ids of a page of the CLP's own open follow-ups in their practices, in the worklist's
# order (a prepared slice: its LIMIT and OFFSET are values).
_own_open_ids = Prepared(
    lambda practice_ids, clp_id, week_end: (
        _own_open_in_groups(practice_ids, clp_id, week_end)
        .order_by(*WORKLIST_ORDER)
        .values_list("id")
    )
)


def _own_counts(user: User, today: date) -> Mapping[str, int]:
    """`_counts` of the CLP's own open follow-ups, by a prepared query where the user's
    practices name them (an administrator's are everyone's)."""
    practice_ids = followup_practice_ids(user)
    if not practice_ids:
        return _counts(_own_open_followups(user), today=today)
    by_group = dict(_own_open_by_group(sorted(practice_ids), user.pk, _week_end(today)))
    return {
        "overdue": by_group.get(0, 0),
        "due_now": by_group.get(1, 0),
        "total": sum(by_group.values()),
    }


def followup_worklist_counts(*, user: User, today: date | None = None) -> Worklist:
    """How many of the CLP's open follow-ups are in each group, in one query, for the home
    page: no rows."""
    return _counted(_own_counts(user, today or timezone.localdate()))


def followup_worklist(
    *, user: User, today: date | None = None, page: str | int | None = None
) -> Worklist:
    """The CLP's open follow-ups, grouped for the worklist: overdue; due now or later this
    week; due soon (within the look-ahead), a page at a time. Closed cases stay on it: the
    nine-month outcome of someone whose goals were met is the one the programme most needs,
    and a case closed because they moved, died or withdrew has no open follow-up left."""
    today = today or timezone.localdate()
    counts = _own_counts(user, today)
    # Counted, and the page's ids read in order, without the page's joins (by a prepared
    # query where the user's practices name them); the page's rows are then loaded by id.
    practice_ids = followup_practice_ids(user)
    ids = None
    if practice_ids:
        ids = PreparedPages(
            _own_open_ids,
            [sorted(practice_ids), user.pk, _week_end(today)],
            counts["total"],
            flat=True,
        )
        own = FollowUp.objects.none()  # read through the ids alone
    else:
        own = _own_open_followups(user)
    return _grouped(
        own,
        user=user,
        today=today,
        page=page,
        counted=own,
        load=_worklist_page,
        counts=counts,
        ids=ids,
    )


def practice_followups(
    *, user: User, state: str = "", today: date | None = None, page: str | int | None = None
) -> Worklist:
    """The manager's read-only worklist: the open follow-ups of every participant in their
    practices, with the CLP, a page at a time. `state` narrows it to overdue or due."""
    rows = (
        followups_visible_to(user)
        .filter(status__in=OPEN_FOLLOW_UP_STATUSES)
        .select_related("participant", "participant__practice", "participant__clp")
    )
    if state in (FollowUpStatus.OVERDUE, FollowUpStatus.DUE):
        rows = rows.filter(status=state)
    return _grouped(rows, user=user, today=today or timezone.localdate(), page=page)


def _grouped(
    rows: QuerySet[FollowUp],
    *,
    user: User,
    today: date,
    page: str | int | None,
    counted: QuerySet[FollowUp] | None = None,
    load: Callable[[list[int], date], list[FollowUp]] | None = None,
    counts: Mapping[str, int] | None = None,
    ids: PreparedPages | None = None,
) -> Worklist:
    """Two queries whatever the size (and the prefetches of the page's rows): the count of
    each group (of `counted`, the same follow-ups as `rows` without their joins, when
    given), then the page, ordered group by group so that a page never mixes them out of
    order. The rows shown are held to each participant's own practice as well
    (`followup_shown_to`), in Python: as a condition in the query it changed the plan."""
    week_end = _week_end(today)
    if counts is None:
        counts = _counts(rows if counted is None else counted, today=today)
    paginator: Paginator[Any]
    if load is None:
        ordered = _in_groups(rows, week_end).order_by(*WORKLIST_ORDER)
        paginator = Paginator(ordered, WORKLIST_PAGE_SIZE)
    else:
        source: Any = ids
        if source is None:
            source = (
                _in_groups(counted if counted is not None else rows, week_end)
                .order_by(*WORKLIST_ORDER)
                .values_list("id", flat=True)
            )
        paginator = Paginator(source, WORKLIST_PAGE_SIZE)
    paginator.count = counts["total"]  # known already: no second COUNT
    current = paginator.get_page(page)
    if load is not None:
        page_ids = list(current.object_list)
        found = {row.pk: row for row in (load(page_ids, week_end) if page_ids else [])}
        current.object_list = [found[pk] for pk in page_ids if pk in found]
    worklist = _counted(counts)
    worklist.page = current
    groups = [worklist.overdue, worklist.due_now, worklist.due_soon]
    for follow_up in current.object_list:
        if followup_shown_to(user, follow_up):
            groups[getattr(follow_up, "group")].append(follow_up)  # noqa: B009 (annotated)
    return worklist
