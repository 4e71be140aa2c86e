"""Reading directory and referral data. Referral rows start from the access policy's
querysets; figures are counted by the database."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth, TruncQuarter
from django.utils import timezone

from accounts.models import User
from accounts.prepared import Prepared
from accounts.windows import Windowed
from participants.access import participants_editable_by
from participants.models import CaseStatus, Participant
from practices.access import practice_ids_in_aggregate_scope
from practices.listing import MergedByPractice, PagedByIds, merged_by_practice
from practices.roles import roles_of
from referrals.access import (
    referrals_in_aggregate_scope,
    referrals_of_practices,
    referrals_visible_to,
)
from referrals.figures import FIGURE_NAMES, figure_counts, pct
from referrals.models import (
    Category,
    CommunityResource,
    FeedbackLink,
    Referral,
    ReferralFigure,
    ReferralStatus,
    ReferralStatusChange,
)
from referrals.models.referral import OPEN_STATUSES
from referrals.running_counts import (
    grid_of_cells,
    referral_figure_grid,
    referral_figure_services,
    referral_figure_summary,
)

# The directory


def _with_figures(qs: QuerySet[CommunityResource]) -> QuerySet[CommunityResource]:
    """Referrals a service has had and the people who engaged with it, across the whole
    programme: counts only, so they are the same for everyone who may see the directory."""
    # Correlated subqueries rather than a join: a paginated page counts only its own 25
    # services, and the page count leaves them out altogether (bench/NOTES.md). The
    # referrals are summed from the running counts per service and month (a few hundred
    # rows a service, from an index alone) rather than counted (thousands at national
    # scale); the people engaged are distinct participants, which no running count holds.
    figures = ReferralFigure.objects.filter(resource=OuterRef("pk")).order_by().values("resource")
    referrals = Referral.objects.filter(resource=OuterRef("pk")).order_by().values("resource")
    return qs.annotate(
        referral_count=Coalesce(
            Subquery(figures.annotate(n=Sum("referrals")).values("n"), output_field=IntegerField()),
            Value(0),
        ),
        engaged_count=Coalesce(
            Subquery(
                referrals.filter(engaged_on__isnull=False)
                .annotate(n=Count("participant", distinct=True))
                .values("n"),
                output_field=IntegerField(),
            ),
            Value(0),
        ),
    )


def resource_directory(
    *,
    search: str = "",
    category_id: int | None = None,
    area: str = "",
    include_inactive: bool = False,
) -> QuerySet[CommunityResource]:
    """The directory, searched by words (every word must appear somewhere in the entry),
    category and area, in its order: what a page's ids are read through
    (`resource_directory_listing` reads the page's rows, figures and categories by id)."""
    qs = CommunityResource.objects.all()
    if not include_inactive:
        qs = qs.filter(active=True)
    for word in search.split():
        in_category = Exists(
            Category.objects.filter(resources=OuterRef("pk"), name__icontains=word)
        )
        qs = qs.filter(
            Q(organisation__icontains=word)
            | Q(name__icontains=word)
            | Q(description__icontains=word)
            | Q(area__icontains=word)
            | Q(postcode__icontains=word)
            | in_category
        )
    if category_id:
        qs = qs.filter(
            Exists(
                CommunityResource.categories.through.objects.filter(
                    communityresource_id=OuterRef("pk"), category_id=category_id
                )
            )
        )
    if area:
        qs = qs.filter(area__iexact=area)
    return qs.order_by(*DIRECTORY_ORDER)


DIRECTORY_ORDER = ("organisation", "name", "pk")

# A page of the directory by id (the ids read through the search), with each service's
# figures, and the names of their categories in order: each built and compiled once per
# process (Django's prefetch of the categories built its query on every page).
_directory_figures = Prepared(
    lambda ids: _with_figures(CommunityResource.objects.filter(pk__in=ids))
)
_category_names = Prepared(
    lambda ids: (
        CommunityResource.categories.through.objects.filter(communityresource_id__in=ids)
        .order_by("category__position", "category__name")
        .values_list("communityresource_id", "category__name")
    )
)


def _directory_rows(ids: list[int]) -> list[CommunityResource]:
    """The page's services with their figures, each with `category_names` (a line)."""
    resources = _directory_figures(ids)
    names: dict[int, list[str]] = {}
    for resource_id, name in _category_names(ids):
        names.setdefault(resource_id, []).append(name)
    for resource in resources:
        resource.category_names = ", ".join(names.get(resource.pk, ()))  # type: ignore[attr-defined]
    return resources


def resource_directory_listing(
    qs: QuerySet[CommunityResource],
) -> PagedByIds[CommunityResource]:
    """What the directory pages through (`resource_directory`'s queryset): the page's ids in
    order, then its rows, figures and categories by id."""
    return PagedByIds(qs, DIRECTORY_ORDER, _directory_rows)


# The whole directory in its order, a page of ids at a time, and how many services it holds
# (active ones only, or all): the unfiltered directory, the page most often seen, by
# prepared queries (`accounts.prepared`) rather than built and compiled on every visit.
_directory_ids = {
    False: Prepared(
        lambda: (
            CommunityResource.objects.filter(active=True)
            .order_by(*DIRECTORY_ORDER)
            .values_list("id")
        )
    ),
    True: Prepared(lambda: CommunityResource.objects.order_by(*DIRECTORY_ORDER).values_list("id")),
}
_directory_counts = Prepared(
    lambda: CommunityResource.objects.order_by().values_list("active").annotate(n=Count("id"))
)


class _WholeDirectory(Windowed[CommunityResource]):
    """The unfiltered directory as the paginator reads it: its number, then a page's ids
    in order and the page's rows by id (`_directory_rows`)."""

    def __init__(self, include_inactive: bool):
        self.ids = _directory_ids[include_inactive]
        self.total = sum(n for active, n in _directory_counts() if active or include_inactive)

    def __len__(self) -> int:
        return self.total

    def _window(self, start: int, stop: int) -> list[CommunityResource]:
        stop = min(stop, self.total)
        if stop <= start:
            return []
        ids = [row[0] for row in self.ids.slice(start, stop)]
        rows = {row.pk: row for row in _directory_rows(ids)} if ids else {}
        return [rows[pk] for pk in ids if pk in rows]


def resource_directory_pages(
    *, search: str = "", category_id: int | None = None, area: str = "", include_inactive: bool
) -> PagedByIds[CommunityResource] | _WholeDirectory:
    """What the directory pages through: its search's (`resource_directory`), or, with no
    search, category or area, the whole directory by prepared queries."""
    if not search.split() and not category_id and not area:
        return _WholeDirectory(include_inactive)
    return resource_directory_listing(
        resource_directory(
            search=search, category_id=category_id, area=area, include_inactive=include_inactive
        )
    )


_areas = Prepared(
    lambda: (
        CommunityResource.objects.filter(active=True)
        .order_by("area")
        .values_list("area")
        .distinct()
    )
)
_category_choices = Prepared(lambda: Category.objects.filter(active=True).only("id", "name"))


def resource_areas() -> list[str]:
    """The areas services are in, for the directory's filter."""
    return [area for (area,) in _areas()]


def category_choices() -> list[Category]:
    return _category_choices()


def resource_with_figures(*, pk: int) -> CommunityResource:
    """One service with its referral and engagement counts; DoesNotExist if there is none."""
    return (
        _with_figures(CommunityResource.objects.filter(pk=pk))
        .select_related("created_by")
        .prefetch_related("categories")
        .get()
    )


# Referrals


def _participant_referrals(scope: QuerySet[Referral], participant_id: int) -> QuerySet[Referral]:
    return (
        scope.filter(participant_id=participant_id)
        .select_related("resource", "need", "clp")
        .order_by("-date", "-id")
    )


# The same read for a user of some practices, built and compiled once per process.
_referrals_in_practices = Prepared(
    lambda practice_ids, participant_id: _participant_referrals(
        referrals_of_practices(practice_ids), participant_id
    )
)


def referrals_for_participant(*, participant: Participant, user) -> list[Referral]:
    """A participant's referrals for their page, newest first: one query, however many."""
    roles = roles_of(user)
    if roles.administrator or not roles.practice_ids:
        # Everyone's, or no one's: through the access module's queryset itself.
        return list(_participant_referrals(referrals_visible_to(user), participant.pk))
    referrals = _referrals_in_practices(list(roles.practice_ids), participant.pk)
    for referral in referrals:
        referral.participant = participant
    return referrals


def _listed(qs: QuerySet[Referral]) -> QuerySet[Referral]:
    return qs.select_related("participant", "resource", "clp")


# A page of the referral list's rows by id (read through the user's scope and filter), built
# and compiled once per process.
_referral_rows = Prepared(lambda ids: _listed(Referral.objects.filter(pk__in=ids)))


def referral_list_for(*, user: User, status: str = "") -> QuerySet[Referral]:
    """Referrals in the user's practices, newest first, for the referrals list."""
    qs = _listed(referrals_visible_to(user))
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status in ReferralStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-date", "-id")


def referral_listing(
    *, user: User, status: str = ""
) -> QuerySet[Referral] | MergedByPractice[Referral] | PagedByIds[Referral]:
    """What the referrals list pages through, newest first: for a user of a few practices,
    each practice's newest through its `(practice, date, id)` index, merged
    (`practices.listing`); PostgreSQL otherwise walked the programme's date index, reading
    every practice's recent referrals to find this user's (bench/NOTES.md)."""
    return merged_by_practice(
        referral_list_for(user=user, status=status),
        roles_of(user),
        ("-date", "-id"),
        rows=_referral_rows,
    )


ANSWERS_SHOWN = 50


def feedback_answers_for(*, user: User) -> list[Referral]:
    """Organisations' answers to the CLP's own referrals: the unread first, then the most
    recent, in one query."""
    return list(
        referrals_visible_to(user)
        .filter(clp=user, feedback_at__isnull=False)
        .select_related("participant", "resource")
        .order_by(F("feedback_read_at").asc(nulls_first=True), "-feedback_at", "-id")[
            :ANSWERS_SHOWN
        ]
    )


def referral_history(*, referral: Referral) -> list[ReferralStatusChange]:
    return list(referral.changes.select_related("by").order_by("on", "id"))


def referral_links(*, referral: Referral) -> list[FeedbackLink]:
    return list(
        referral.feedback_links.select_related("issued_by", "revoked_by").order_by(
            "-issued_at", "-id"
        )
    )


def referable_participants(*, user: User) -> QuerySet[Participant]:
    """Whom this user may refer: open cases among the participants they may edit."""
    return (
        participants_editable_by(user)
        .filter(status=CaseStatus.OPEN)
        .order_by("last_name", "first_name", "ref")
    )


# Statistics


@dataclass(frozen=True)
class Figures:
    referrals: int = 0
    suggested_only: int = 0
    referred: int = 0
    attended: int = 0
    reached_engaged: int = 0
    engaged: int = 0
    feedback: int = 0
    appropriate: int = 0
    relevant: int = 0

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> Figures:
        return cls(**{name: row.get(name) or 0 for name in cls.__dataclass_fields__})

    @property
    def engagement_rate(self) -> float | None:
        """Engaged by latest status (`referrals.figures`), as a percentage of every referral
        and suggestion: the programme's engagement figure."""
        return pct(self.engaged, self.referrals)

    @property
    def appropriate_share(self) -> float | None:
        """Judged appropriate, as a percentage of referrals the organisation answered for."""
        return pct(self.appropriate, self.feedback)

    @property
    def relevant_share(self) -> float | None:
        return pct(self.relevant, self.feedback)


@dataclass(frozen=True)
class StatsRow:
    label: str
    by_period: list[int]
    figures: Figures
    detail: str = ""


class _Services(Windowed[StatsRow]):
    """The services' rows of the statistics, equal to any list of the same rows."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Windowed | Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]


class ServicePages(_Services):
    """The services' rows as the page reads them, when the database adds them up
    (`referral_figure_summary`): how many there are, and a window of them read with the
    rest of the figures; another window is read when asked for (`fetch(start, stop)`)."""

    def __init__(
        self,
        count: int,
        start: int,
        rows: list[StatsRow],
        fetch: Callable[[int, int], list[StatsRow]],
    ):
        self._count, self._start, self._rows, self._fetch = count, start, rows, fetch

    def __len__(self) -> int:
        return self._count

    def _window(self, start: int, stop: int) -> list[StatsRow]:
        stop = min(stop, self._count)
        if stop <= start:
            return []
        if self._start <= start and stop <= self._start + len(self._rows):
            return self._rows[start - self._start : stop - self._start]
        return self._fetch(start, stop)


class ServiceRows(_Services):
    """The services' rows in the directory's order (organisation, then name), each made
    when it is read: a national directory has thousands of services and a page shows
    fifty of them."""

    def __init__(
        self,
        order: list[int],
        labels: Mapping[int, tuple[str, str]],
        sums: Mapping[int, list[int]],
        cells: Mapping[int, list[int]],
    ):
        self._order, self._labels, self._sums, self._cells = order, labels, sums, cells

    def __len__(self) -> int:
        return len(self._order)

    def _window(self, start: int, stop: int) -> list[StatsRow]:
        rows = []
        for pk in self._order[start:stop]:
            organisation, name = self._labels[pk]
            rows.append(
                StatsRow(name, self._cells[pk], Figures(*self._sums[pk]), detail=organisation)
            )
        return rows


@dataclass(frozen=True)
class Statistics:
    year: int
    period: str
    years: list[int]
    periods: list[str]
    totals: Figures
    by_period: list[tuple[str, Figures]]
    by_category: list[StatsRow] = field(default_factory=list)
    by_resource: Sequence[StatsRow] | _Services = field(default_factory=list)


PERIODS = {"month": TruncMonth, "quarter": TruncQuarter}
MONTH_LABELS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _period_starts(year: int, period: str) -> list[date]:
    step = 1 if period == "month" else 3
    return [date(year, month, 1) for month in range(1, 13, step)]


def _period_label(start: date, period: str) -> str:
    if period == "month":
        return MONTH_LABELS[start.month - 1]
    return f"Q{(start.month - 1) // 3 + 1}"


def _services_and_categories() -> list[tuple[int, str, str, int | None]]:
    """Every service's id, organisation and name, once for each of its categories (with
    None for a service in none): one plain read of two small tables, without the ORM's
    per-row work."""
    through = CommunityResource.categories.through._meta.db_table
    resources = CommunityResource._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.id, r.organisation, r.name, c.category_id FROM {resources} r "  # noqa: S608 (our own tables)
            f"LEFT JOIN {through} c ON c.communityresource_id = r.id"
        )
        return cursor.fetchall()


# The first referral's date, of the whole programme or of a list of practices; prepared
# queries (`accounts.prepared`): the statistics page reads it on every visit.
_first_referral = Prepared(lambda: Referral.objects.order_by("date").values_list("date")[:1])
_first_referral_of = Prepared(
    lambda practice_ids: (
        Referral.objects.filter(practice_id__in=practice_ids)
        .order_by("date")
        .values_list("date")[:1]
    )
)
_categories = Prepared(lambda: Category.objects.all())


def statistics_years(*, user: User) -> list[int]:
    """Years with referrals, up to this one, newest first."""
    this_year = timezone.localdate().year
    practice_ids = practice_ids_in_aggregate_scope(user)
    if practice_ids is None:
        found = _first_referral()
    else:
        found = _first_referral_of(sorted(practice_ids)) if practice_ids else []
    first = found[0][0] if found else None
    start = min(first.year, this_year) if first else this_year
    return list(range(this_year, start - 1, -1))


# The services' table shows this many at a time (`referrals.views.statistics`).
SERVICES_PER_PAGE = 50


def referral_statistics(
    *,
    user: User,
    year: int,
    period: str = "quarter",
    years: list[int] | None = None,
    window: tuple[int, int] = (0, SERVICES_PER_PAGE),
) -> Statistics:
    """Referrals per period, category and service for one calendar year, with engagement
    and the organisations' judgement. Every count comes from an aggregate query; Python only
    lays the counted cells out in a grid. No participant appears: counts only. `window`:
    the services (from, to, in the directory's order) read with the rest, the others being
    read when asked for."""
    period = period if period in PERIODS else "quarter"
    starts = _period_starts(year, period)
    names = list(FIGURE_NAMES)
    if years is None:
        years = statistics_years(user=user)
    whole_programme = practice_ids_in_aggregate_scope(user) is None
    if whole_programme and _summed_by_the_database():
        return _programme_statistics(year, period, starts, years, window)

    # The year's figures added up per service (with its referrals in each period) and per
    # period (`Grid`). A scope of practices counts its referrals, a cell a service and
    # period, added up here (bench/NOTES.md); the whole programme's come from the running
    # counts per service and month (`ReferralFigure`), a few thousand rows a year whatever
    # the number of referrals, which PostgreSQL adds up itself (`_programme_statistics`).
    if whole_programme:
        grid = referral_figure_grid(year=year, starts=starts)
    else:
        cells = (
            referrals_in_aggregate_scope(user)
            .filter(date__year=year)
            .annotate(period=PERIODS[period]("date"))
            .values_list("resource", "period")
            .annotate(**figure_counts())
            .order_by()
        )
        grid = grid_of_cells(list(cells), starts)
    # Every service's names and categories, in one read of the (small) directory: cheaper
    # than grouping the cells by the names, or an IN list of the year's services.
    labels: dict[int, tuple[str, str]] = {}
    categories_of: dict[int, list[int]] = {}
    for resource_id, organisation, name, category_id in _services_and_categories():
        labels[resource_id] = (organisation, name)
        if category_id is not None:
            categories_of.setdefault(resource_id, []).append(category_id)

    # A category's figures are its services' (a service in two categories counting in
    # both): a product with which services each one holds.
    width, count = len(names), len(starts)
    services = list(grid.services)
    resource_sums = {pk: sums for pk, (sums, _) in grid.services.items()}
    resource_cells = {pk: line for pk, (_, line) in grid.services.items()}
    by_service = np.array(list(resource_sums.values()), dtype=np.int64).reshape(-1, width)
    lines = np.array(list(resource_cells.values()), dtype=np.int64).reshape(-1, count)
    category_ids = sorted({c for pk in services for c in categories_of.get(pk, ())})
    holds = np.zeros((len(category_ids), len(services)), dtype=np.int64)
    category_at = {category_id: index for index, category_id in enumerate(category_ids)}
    for index, pk in enumerate(services):
        for category_id in categories_of.get(pk, ()):
            holds[category_at[category_id], index] = 1
    category_sums = dict(zip(category_ids, (holds @ by_service).tolist(), strict=True))
    category_cells = dict(zip(category_ids, (holds @ lines).tolist(), strict=True))
    period_sums = grid.periods
    zero = [0] * width

    def figures(sums: list[int]) -> Figures:
        return Figures(*sums)  # FIGURE_NAMES' order is the fields' (a test holds them)

    totals = figures([sum(each) for each in zip(*period_sums.values(), strict=True)] or zero)
    per_period = {start: figures(sums) for start, sums in period_sums.items()}
    categories = [
        (category, figures(category_sums.get(category.pk, zero))) for category in _categories()
    ]
    resources = sorted(
        resource_sums, key=lambda pk: (labels[pk][0].casefold(), labels[pk][1].casefold(), pk)
    )
    empty = [0] * count
    return Statistics(
        year=year,
        period=period,
        years=years,
        periods=[_period_label(start, period) for start in starts],
        totals=totals,
        by_period=[
            (_period_label(start, period), per_period.get(start, Figures())) for start in starts
        ],
        by_category=[
            StatsRow(c.name, category_cells.get(c.pk, empty), figures)
            for c, figures in categories
            if c.active or figures.referrals
        ],
        by_resource=ServiceRows(resources, labels, resource_sums, resource_cells),
    )


def _summed_by_the_database() -> bool:
    return connection.vendor == "postgresql"


def _programme_statistics(
    year: int, period: str, starts: list[date], years: list[int], window: tuple[int, int]
) -> Statistics:
    """`referral_statistics` for the whole programme on PostgreSQL, from the running counts
    added up by the database: a row a period, a category and a service of the window
    (`referral_figure_summary`), whatever the size of the directory."""
    width, count = len(FIGURE_NAMES), len(starts)
    summary = referral_figure_summary(year=year, starts=starts, window=window)
    nothing = ([0] * width, [0] * count)

    def rows(services: list[tuple[int, str, str, list[int], list[int]]]) -> list[StatsRow]:
        return [
            StatsRow(name, line, Figures(*sums), detail=organisation)
            for _, organisation, name, sums, line in services
        ]

    def fetch(start: int, stop: int) -> list[StatsRow]:
        return rows(referral_figure_services(year=year, starts=starts, start=start, stop=stop))

    by_category = []
    for category in _categories():
        sums, line = summary.categories.get(category.pk, nothing)
        figures = Figures(*sums)
        if category.active or figures.referrals:
            by_category.append(StatsRow(category.name, line, figures))
    totals = [sum(each) for each in zip(*summary.periods.values(), strict=True)]
    return Statistics(
        year=year,
        period=period,
        years=years,
        periods=[_period_label(start, period) for start in starts],
        totals=Figures(*totals) if totals else Figures(),
        by_period=[
            (_period_label(start, period), Figures(*summary.periods[start]))
            if start in summary.periods
            else (_period_label(start, period), Figures())
            for start in starts
        ],
        by_category=by_category,
        by_resource=ServicePages(summary.service_count, window[0], rows(summary.services), fetch),
    )
