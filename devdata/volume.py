"""A programme at scale, made up: the volume data set the benchmarks and the query-count
budgets run against.

Everything is invented and written in batches inside one transaction, so a run that fails
leaves nothing behind: the participants' records as rows (tuples, ids taken from a block of
each table's sequence) by COPY on PostgreSQL and bulk_create elsewhere, with the dashboards'
counting triggers off and the running counts rebuilt once at the end. The same seed, sizes
and `today` give the same data: each participant's record comes from its own generator
(seeded by the run's seed and the participant's number), so a batch size never changes what
is made. Values go through the same rules as the app's own writes: CHI numbers from
`participants.chi.make_chi`, scores from `participants.measures.apply_scores`, follow-ups
from `participants.followups.followups_run`, and every model constraint holds.

Shape, per the programme's evaluation and its published figures: Deep End practices with
most participants in the most deprived SIMD quintile; one CLP for one or two practices;
about four consultations a person, some missed; about one referral a person to a community
resource, in realistic proportions of suggested, referred, attended, engaged, declined and
not attended; baselines for about 80 % and nine-month follow-ups for about 40 %; anonymous
staff survey answers each year.
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
import re
import secrets
import time
from bisect import bisect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from itertools import accumulate
from types import SimpleNamespace
from typing import Any, cast

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models import Exists, F, OuterRef, Subquery
from django.db.models.functions import Mod
from django.utils import timezone

from accounts.models import User
from devdata.builders import (
    feedback_answer,
    item_scores,
    referral_step_dates,
    simd_demo_load,
    staff_survey_answers,
)
from devdata.names import CONSULTATION_NOTES, FIRST_NAMES, GOALS, LAST_NAMES, REASONS, STREETS
from participants.chi import make_chi
from participants.dates import FOLLOW_UP_MONTHS, add_months
from participants.followups import followups_run
from participants.measures import apply_scores
from participants.models import (
    EQ5D_DIMENSIONS,
    HADS_ITEMS,
    ONS4_ITEMS,
    WEMWBS_ITEMS,
    Assessment,
    CaseStatus,
    Consultation,
    ConsultationMode,
    DischargeReason,
    FollowUp,
    FollowUpStatus,
    GoalProgress,
    Need,
    Participant,
    ParticipantNeed,
    PreferredContact,
    ReferenceSequence,
    ReferredBy,
    Sex,
    SimdPostcode,
    StatusChange,
    Timepoint,
)
from participants.models.needs import DOMAIN_DATES
from participants.services import participant_next_ref
from practices.db import long_statements
from practices.models import Attachment, HealthBoard, Practice, StaffRole, StaffSurveyResponse
from referrals import links
from referrals.models import (
    Category,
    CommunityResource,
    FeedbackLink,
    Referral,
    ReferralStatus,
    ReferralStatusChange,
)
from reports.figures import practice_figures_suspended

# The accounts the benchmark signs in as: a CLP of two practices (the widest CLP scope),
# the manager of the first of them, and a programme lead.
BENCH_CLP = "bench.clp"
BENCH_MANAGER = "bench.pm"
BENCH_LEAD = "bench.lead"
# With `dense`: the only CLP of a practice of that many participants, and its manager.
BENCH_DENSE_CLP = "bench.dense"
BENCH_DENSE_MANAGER = "bench.dense.pm"
BENCH_USERNAMES = (BENCH_CLP, BENCH_MANAGER, BENCH_LEAD, BENCH_DENSE_CLP, BENCH_DENSE_MANAGER)

BATCH_SIZE = 1000

BOARDS = [
    # health board, weight, areas (neighbourhoods its practices and services are in)
    (
        HealthBoard.GREATER_GLASGOW_CLYDE,
        10,
        [
            "Springburn",
            "Possilpark",
            "Easterhouse",
            "Castlemilk",
            "Govan",
            "Drumchapel",
            "Calton",
            "Dennistoun",
            "Shettleston",
            "Parkhead",
            "Pollok",
            "Greenock",
        ],
    ),
    (HealthBoard.LANARKSHIRE, 3, ["Coatbridge", "Motherwell", "Wishaw", "Airdrie"]),
    (HealthBoard.LOTHIAN, 2, ["Craigmillar", "Wester Hailes", "Muirhouse"]),
    (HealthBoard.AYRSHIRE_ARRAN, 2, ["Kilmarnock", "Irvine", "Ayr North"]),
    (HealthBoard.TAYSIDE, 1, ["Whitfield", "Lochee"]),
    (HealthBoard.FIFE, 1, ["Methil", "Kirkcaldy"]),
]

PRACTICE_SUFFIXES = [
    "Health Centre",
    "Medical Practice",
    "Family Practice",
    "Surgery",
    "Medical Group",
    "Primary Care Centre",
]

# Consultations per person: mean a little over 4, as the programme's caseload data shows.
CONSULTATION_COUNTS = [(0, 6), (1, 14), (2, 14), (3, 13), (4, 12), (5, 11), (6, 9), (7, 7)]
CONSULTATION_COUNTS += [(8, 5), (9, 3), (10, 3), (12, 2), (15, 1)]
DNA_RATE = 0.12
MODES = [
    (ConsultationMode.PRACTICE, 60),
    (ConsultationMode.TELEPHONE, 25),
    (ConsultationMode.HOME, 10),
    (ConsultationMode.VIDEO, 5),
]
REFERRALS_PER_PERSON = [(0, 25), (1, 55), (2, 15), (3, 5)]
# How far a referral got: (weight, final status, the steps on the way).
REFERRAL_PATHS = [
    (14, ReferralStatus.SUGGESTED, [ReferralStatus.SUGGESTED]),
    (14, ReferralStatus.REFERRED, [ReferralStatus.SUGGESTED, ReferralStatus.REFERRED]),
    (14, ReferralStatus.ATTENDED, [ReferralStatus.REFERRED, ReferralStatus.ATTENDED]),
    (
        26,
        ReferralStatus.ENGAGED,
        [ReferralStatus.REFERRED, ReferralStatus.ATTENDED, ReferralStatus.ENGAGED],
    ),
    (11, ReferralStatus.DECLINED, [ReferralStatus.SUGGESTED, ReferralStatus.DECLINED]),
    (13, ReferralStatus.DID_NOT_ATTEND, [ReferralStatus.REFERRED, ReferralStatus.DID_NOT_ATTEND]),
    (
        8,
        ReferralStatus.CLOSED,
        [ReferralStatus.REFERRED, ReferralStatus.ENGAGED, ReferralStatus.CLOSED],
    ),
]
DISCHARGE_REASONS = [
    (DischargeReason.GOALS_MET, 45),
    (DischargeReason.DISENGAGED, 24),
    (DischargeReason.REFERRED_ON, 12),
    (DischargeReason.MOVED, 7),
    (DischargeReason.DIED, 3),
    (DischargeReason.WITHDREW, 5),
    (DischargeReason.OTHER, 4),
]
NO_FOLLOW_UP = {DischargeReason.MOVED, DischargeReason.DIED, DischargeReason.WITHDREW}
# Deep End practices: over 80 % of participants in the most deprived quintile.
QUINTILE_WEIGHTS = {True: [82, 9, 5, 2, 1, 1], False: [45, 22, 14, 9, 6, 4]}  # last: unknown

SERVICES = [
    # organisation kind, service, categories, description
    ("Walkers", "Health walks", ["Physical activity", "Social groups"], "Gentle group walks."),
    ("Community Football", "Walking football", ["Physical activity"], "Walking football."),
    ("Wellbeing Hub", "Stress control classes", ["Mental wellbeing"], "A six-week course."),
    ("Talking Space", "Peer support for low mood", ["Mental wellbeing", "Social groups"], ""),
    ("Money Matters", "Debt and benefits advice", ["Money advice"], "Free, confidential."),
    ("Citizens' Rights", "Welfare rights appeals", ["Money advice", "Legal"], "Tribunals."),
    ("Tenants Together", "Housing advice line", ["Housing", "Legal"], "Repairs and arrears."),
    ("Housing Support", "Tenancy sustainment", ["Housing"], "Help to keep a tenancy."),
    ("Learning Centre", "Digital skills", ["Employment and learning"], "Getting online."),
    ("Adult Learning", "Literacy and ESOL classes", ["Employment and learning"], "Crèche."),
    ("Community Café", "Lunch club", ["Social groups", "Food"], "A hot lunch for £2."),
    ("Men's Shed", "Men's Shed", ["Social groups", "Volunteering"], "Make, mend and talk."),
    ("Carers Centre", "Carers' support and short breaks", ["Carers"], "A carer's plan."),
    ("Pantry", "Community food pantry", ["Food"], "A bag of shopping for £3.50."),
    ("Recovery Café", "Recovery café", ["Addiction recovery", "Social groups"], "Drop in."),
    ("Arts Collective", "Creative wellbeing", ["Arts and creativity", "Mental wellbeing"], ""),
    ("Community Choir", "Sing for health", ["Arts and creativity", "Social groups"], ""),
    ("Volunteer Centre", "Volunteering matching", ["Volunteering"], "A role that fits."),
    ("Law Clinic", "Free legal advice", ["Legal"], "Volunteer solicitors."),
    ("Cycle Hub", "Learn to ride and bike loans", ["Physical activity", "Other"], ""),
]


@dataclass
class VolumeSummary:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    password: str = ""
    timings: dict[str, float] = field(default_factory=dict)


def _weighted(pairs):
    values = [v for v, _ in pairs]
    cumulative = list(accumulate(w for _, w in pairs))
    total = cumulative[-1]

    def pick(rng: random.Random):
        return values[bisect(cumulative, rng.random() * total)]

    return pick


_consultation_count = _weighted(CONSULTATION_COUNTS)
_mode = _weighted(MODES)
_referral_count = _weighted(REFERRALS_PER_PERSON)
_referral_path = _weighted([(path, weight) for weight, *path in REFERRAL_PATHS])
_discharge_reason = _weighted(DISCHARGE_REASONS)


def _between(rng: random.Random, first: date, last: date) -> date:
    if last <= first:
        return first
    return first + timedelta(days=rng.randrange((last - first).days + 1))


@dataclass
class _Context:
    """What every participant's generator draws on, loaded once."""

    seed: int
    today: date
    practices: list[Practice]
    practice_weights: list[int]
    clp_of: dict[int, User]
    uses: dict[int, set[str]]
    need_ids: list[int]
    need_domains: dict[int, str]  # each need's domain
    postcodes_by_quintile: dict[int, list[SimdPostcode]]
    resources_by_area: dict[str, list[CommunityResource]]
    resources: list[CommunityResource]
    area_of: dict[int, str]
    chis: set[str]
    dense: Practice | None = None
    counts: dict[str, int] = field(default_factory=dict)


def volume_generate(
    *,
    practices: int,
    participants: int,
    dense: int = 0,
    seed: int = 8,
    today: date | None = None,
    password: str | None = None,
    batch_size: int = 2000,
    log: Callable[[str], None] | None = None,
) -> VolumeSummary:
    """Make the data set: `practices` practices with their staff and `participants`
    participants spread over them by list size, with everything that happens to them; and,
    with `dense`, one practice more whose only CLP (`BENCH_DENSE_CLP`) holds `dense`
    participants of their own."""
    if practices < 1 or participants < 0 or dense < 0:
        raise ValueError("Give at least one practice and no fewer than no participants.")
    log = log or (lambda message: None)
    started = time.perf_counter()
    today = today or timezone.localdate()
    password = password or f"bench-{secrets.token_urlsafe(12)}-9"
    summary = VolumeSummary(password=password)

    def lap(stage: str, since: float) -> float:
        now = time.perf_counter()
        summary.timings[stage] = now - since
        log(f"  {stage}: {now - since:.1f} s")
        return now

    # One transaction, its statements allowed as long as an import's.
    with long_statements(), practice_figures_suspended(), _need_domains_suspended():
        mark = time.perf_counter()
        simd_demo_load()
        ctx = _setup(
            practices=practices,
            dense=dense,
            seed=seed,
            today=today,
            password=password,
            counts=summary.counts,
        )
        mark = lap("practices, staff, directory and survey", mark)
        total = participants + dense
        first_ref = int(participant_next_ref()[1:]) if total else 0
        if total:
            # One reference handed out by the service; the rest of the block reserved at once.
            ReferenceSequence.objects.filter(name="participant").update(
                last_value=first_ref + total - 1
            )
        tables = _Tables(timezone.now())
        for start in range(0, total, batch_size):
            refs: list[tuple[int, Practice | None]] = [
                (first_ref + i, None if i < participants else ctx.dense)
                for i in range(start, min(total, start + batch_size))
            ]
            _participants_batch(ctx, tables, refs)
            done = min(total, start + batch_size)
            if done % max(batch_size, total // 20) < batch_size or done == total:
                rate = done / (time.perf_counter() - mark)
                log(f"  participants: {done}/{total} ({rate:,.0f} a second)")
        tables.finish()
        rows = sum(table.written for table in tables.all())
        writing = sum(table.seconds for table in tables.all())
        mark = lap(
            f"participants and their records ({rows:,} rows, {writing:.1f} s of it writing: "
            + ", ".join(f"{t.name} {t.seconds:.1f} s" for t in tables.all())
            + f"; foreign keys checked {tables.checking:.1f} s)",
            mark,
        )
        _analyze()
        mark = lap("analyse", mark)
        run = followups_run(today=today)
        summary.counts["follow-ups scheduled by followups_run"] = run.created
        mark = lap("followups_run", mark)
        _complete_follow_ups(ctx)
        mark = lap("follow-ups completed and closed", mark)
    # The running counts were not kept row by row (the triggers were off); leaving the block
    # counted them once from the records.
    lap("running counts rebuilt", mark)
    summary.seconds = time.perf_counter() - started
    return summary


@contextmanager
def _need_domains_suspended() -> Iterator[None]:
    """The participant needs' trigger that keeps each participant's first day of a need in
    each domain (participants migration 0020) off for the block (PostgreSQL; on SQLite it
    stays on): the generator writes those days with the participant, where the trigger would
    write each participant's row again for every need."""
    if connection.vendor != "postgresql":
        yield
        return
    statement = 'ALTER TABLE "{}" {} TRIGGER participants_need_domains_write'
    table = ParticipantNeed._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(statement.format(table, "DISABLE"))
    yield
    connection.check_constraints()
    with connection.cursor() as cursor:
        cursor.execute(statement.format(table, "ENABLE"))


def _analyze() -> None:
    """The follow-up queries that follow read tables just filled: give the planner their
    sizes (ANALYZE runs inside the transaction; it samples, so it is quick)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (Participant, Assessment, FollowUp):
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')


def _count(ctx_counts: dict[str, int], name: str, n: int) -> None:
    ctx_counts[name] = ctx_counts.get(name, 0) + n


def _setup(
    *, practices: int, dense: int, seed: int, today: date, password: str, counts
) -> _Context:
    rng = random.Random(f"{seed}:setup")
    offset = Practice.objects.filter(code__startswith="V").count()
    board_pick = _weighted([((board, areas), weight) for board, weight, areas in BOARDS])
    made_practices, areas_of_new = [], []
    for index in range(practices):
        board, areas = board_pick(rng)
        area = rng.choice(areas)
        areas_of_new.append(area)
        number = offset + index + 1
        deep_end = rng.random() < 0.85
        joined = _between(rng, date(2017, 4, 1), today - timedelta(days=540))
        made_practices.append(
            Practice(
                name=f"{area} {rng.choice(PRACTICE_SUFFIXES)} {number}",
                code=f"V{number:05d}",
                health_board=board,
                deep_end=deep_end,
                list_size=rng.randrange(2500, 12000, 100),
                joined_on=joined,
                left_on=None,
            )
        )
    dense_practice = None
    if dense:
        # The dense practice: a large list in the programme for two years, so many of its
        # cases are open and many follow-ups are due. Its own generator, so the other
        # practices are the same with it or without it.
        dense_rng = random.Random(f"{seed}:dense")
        number = offset + practices + 1
        dense_practice = Practice(
            name=f"{areas_of_new[0]} Dense Medical Practice {number}",
            code=f"V{number:05d}",
            health_board=made_practices[0].health_board,
            deep_end=True,
            list_size=max(12000, round(dense * 1.5, -2)),
            joined_on=today - timedelta(days=730),
            left_on=None,
        )
        made_practices.append(dense_practice)
        areas_of_new.append(areas_of_new[0])
    made_practices = Practice.objects.bulk_create(made_practices, batch_size=BATCH_SIZE)
    area_of = {p.pk: area for p, area in zip(made_practices, areas_of_new, strict=True)}
    _count(counts, "practices", len(made_practices))
    if dense_practice is not None:
        made_practices.pop()

    password_hash = make_password(password)
    unusable = make_password(None)
    users, attachments, clp_of = [], [], {}
    bench = {u.username: u for u in User.objects.filter(username__in=BENCH_USERNAMES)}
    # A second run (--force) keeps the benchmark accounts where they are, with the new
    # password; everyone else it makes is new.
    User.objects.filter(username__in=BENCH_USERNAMES).update(password=password_hash)

    def staff(username: str, full_name: str, **flags) -> User:
        if username in bench:
            return bench[username]
        user = User(
            username=username,
            full_name=full_name,
            email=f"{username}@example.org",
            password=password_hash if username in BENCH_USERNAMES else unusable,
            **flags,
        )
        users.append(user)
        return user

    def person(sex) -> str:
        return f"{rng.choice(FIRST_NAMES[sex])} {rng.choice(LAST_NAMES)}"

    index = 0
    clp_number = 0
    while index < len(made_practices):
        # One CLP for one or two practices; the benchmark's CLP has two.
        pair = (index == 0 and len(made_practices) > 1) or rng.random() < 0.5
        covered = made_practices[index : index + (2 if pair else 1)]
        clp_number += 1
        is_bench = index == 0 and BENCH_CLP not in bench
        username = BENCH_CLP if is_bench else f"clp.v{offset + clp_number:05d}"
        user = staff(username, person(rng.choice([Sex.FEMALE, Sex.FEMALE, Sex.MALE])))
        for practice in covered:
            clp_of[practice.pk] = user
            # Some CLPs are new: they took over from a predecessor this or last year.
            started = practice.joined_on
            if rng.random() < 0.15:
                started = _between(rng, max(practice.joined_on, today - timedelta(days=500)), today)
            attachments.append(
                Attachment(user=user, practice=practice, role=StaffRole.CLP, started_on=started)
            )
        index += len(covered)
    for number, practice in enumerate(made_practices):
        is_bench = number == 0 and BENCH_MANAGER not in bench
        username = BENCH_MANAGER if is_bench else f"pm.v{offset + number + 1:05d}"
        user = staff(username, person(rng.choice([Sex.FEMALE, Sex.MALE])))
        attachments.append(
            Attachment(
                user=user,
                practice=practice,
                role=StaffRole.PRACTICE_MANAGER,
                started_on=practice.joined_on,
            )
        )
    if dense_practice is not None:
        for username, role in ((BENCH_DENSE_CLP, StaffRole.CLP), (BENCH_DENSE_MANAGER, None)):
            role = role or StaffRole.PRACTICE_MANAGER
            sex = dense_rng.choice([Sex.FEMALE, Sex.MALE])
            full_name = f"{dense_rng.choice(FIRST_NAMES[sex])} {dense_rng.choice(LAST_NAMES)}"
            user = staff(username, full_name)
            if role == StaffRole.CLP:
                clp_of[dense_practice.pk] = user
            attachments.append(
                Attachment(
                    user=user,
                    practice=dense_practice,
                    role=role,
                    started_on=dense_practice.joined_on,
                )
            )
    lead = staff(BENCH_LEAD, "Benchmark Lead", is_programme_lead=True)
    User.objects.bulk_create(users, batch_size=BATCH_SIZE)
    Attachment.objects.bulk_create(attachments, batch_size=BATCH_SIZE)
    _count(counts, "staff accounts", len(users))
    _count(counts, "attachments", len(attachments))

    resources_by_area, all_resources = _directory(rng, lead, sorted(set(area_of.values())), counts)
    _staff_survey(
        seed, made_practices + ([dense_practice] if dense_practice else []), today, counts
    )

    # A sample of each quintile's postcodes is enough, and keeps memory flat with the full
    # published lookup (230,000 postcodes) loaded.
    postcodes = {
        q: list(SimdPostcode.objects.filter(quintile=q).order_by("postcode")[:500])
        for q in range(1, 6)
    }
    uses = {}
    for practice in made_practices:
        # Which optional instruments a practice's CLP uses, beside HADS and exercise.
        uses[practice.pk] = {
            name
            for name, share in (("wemwbs", 0.4), ("eq5d", 0.3), ("ons4", 0.2))
            if rng.random() < share
        }
    if dense_practice is not None:
        uses[dense_practice.pk] = {"wemwbs", "eq5d"}
    chis = set(Participant.objects.values_list("chi", flat=True))
    return _Context(
        seed=seed,
        today=today,
        practices=made_practices,
        practice_weights=list(accumulate(p.list_size or 0 for p in made_practices)),
        clp_of=clp_of,
        uses=uses,
        need_ids=list(Need.objects.filter(active=True).order_by("pk").values_list("pk", flat=True)),
        need_domains=dict(Need.objects.values_list("pk", "domain")),
        dense=dense_practice,
        postcodes_by_quintile=postcodes,
        resources_by_area=resources_by_area,
        resources=all_resources,
        area_of=area_of,
        chis=chis,
        counts=counts,
    )


def _directory(rng: random.Random, lead: User, areas: list[str], counts):
    """Every area gets its own set of local services: a directory of hundreds of entries."""
    categories = {c.name: c for c in Category.objects.all()}
    # The importer knows a service by its name alone, so each area's is named for the area.
    existing = set(CommunityResource.objects.values_list("name", flat=True))
    resources: list[CommunityResource] = []
    links: list[tuple[CommunityResource, Category]] = []
    for area in areas:
        for kind, service, category_names, description in SERVICES:
            organisation = f"{area} {kind}"
            name = f"{service}, {area}"
            if name in existing:
                continue
            existing.add(name)
            resource = CommunityResource(
                organisation=organisation,
                name=name,
                description=description or f"{service} in {area}.",
                area=area,
                address=f"Community Hall, {rng.choice(STREETS)}, {area}",
                phone=f"0141 496 {rng.randrange(1000, 9999)}",
                email=f"hello@{_domain_label(area)}-{_domain_label(kind)[:6]}.example",
                how_to_refer="Phone or email with the person's first name and a number.",
                opening_notes="Monday to Friday, 10am to 4pm.",
                active=rng.random() > 0.04,
                created_by=lead,
            )
            resources.append(resource)
            links.extend((resource, categories[n]) for n in category_names if n in categories)
    CommunityResource.objects.bulk_create(resources, batch_size=BATCH_SIZE)
    through = CommunityResource.categories.through
    through.objects.bulk_create(
        [through(communityresource_id=r.pk, category_id=c.pk) for r, c in links],
        batch_size=BATCH_SIZE,
    )
    _count(counts, "community resources", len(resources))
    by_area: dict[str, list[CommunityResource]] = {}
    active = [r for r in CommunityResource.objects.filter(active=True).order_by("pk")]
    for resource in active:
        by_area.setdefault(resource.area, []).append(resource)
    return by_area, active


def _domain_label(text: str) -> str:
    """Letters and digits only: an area such as "St Andrew's" makes no valid address."""
    return re.sub(r"[^a-z0-9]", "", text.lower()) or "service"


def _staff_survey(seed: int, practices: list[Practice], today: date, counts) -> None:
    """Every year's answers since each practice joined."""
    rows = []
    for practice in practices:
        for year in range(practice.joined_on.year, today.year + 1):
            rng = random.Random(f"{seed}:survey:{practice.code}:{year}")
            rows.extend(
                staff_survey_answers(
                    practice=practice, year=year, respondents=rng.randrange(6, 20), rng=rng
                )
            )
    StaffSurveyResponse.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    _count(counts, "staff survey responses", len(rows))


# Writing the participants' records: rows, not model instances.
#
# A million participants make about fourteen million rows. Each is a tuple in its table's
# column order, with its id handed out here from a block reserved from the table's sequence,
# so the rows that point at it can be made at once. PostgreSQL takes a batch per table as
# one COPY of CSV text; elsewhere (SQLite in tests) the same tuples go through bulk_create.

_REQUIRED = object()  # a column with no default that a row must give
ID_BLOCK = 10_000  # ids reserved from a sequence at a time: a constant, so ids never depend
# on the batch size


def _column_default(field, now: datetime):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    if field.get_internal_type() in ("CharField", "TextField", "EmailField"):
        return ""
    return _REQUIRED


class _Ids:
    """Ids for one table, taken in order from blocks of its sequence (PostgreSQL), or from
    after its largest id (SQLite, a single writer)."""

    def __init__(self, table: str):
        self.table = table
        self.postgres = connection.vendor == "postgresql"
        self.next_id = 1
        self.last = 0
        self.reserved_to = 0
        if not self.postgres:
            with connection.cursor() as cursor:
                cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608
                self.next_id = cursor.fetchone()[0] + 1
            self.last = 1 << 62

    def take(self) -> int:
        if self.next_id > self.last:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'),"
                    " nextval(pg_get_serial_sequence(%s, 'id')) + %s)",
                    [self.table, self.table, ID_BLOCK - 1],
                )
                self.last = self.reserved_to = cursor.fetchone()[0]
            self.next_id = self.last - ID_BLOCK + 1
        pk = self.next_id
        self.next_id += 1
        return pk

    def finish(self) -> None:
        """Hand back the unused end of the last block, if no one has taken an id since."""
        if not self.postgres or not self.reserved_to:
            return
        used = self.next_id - 1
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s) FROM"
                " (SELECT last_value FROM pg_sequences WHERE schemaname = current_schema()"
                " AND sequencename = split_part(pg_get_serial_sequence(%s, 'id'), '.', 2)) s"
                " WHERE s.last_value = %s",
                [self.table, used, self.table, self.reserved_to],
            )


class _Table:
    """One table's rows of the current batch, as tuples in its columns' order."""

    def __init__(self, model, name: str, now: datetime):
        fields = model._meta.concrete_fields
        self.model = model
        self.name = name  # in the summary
        self.db_table = model._meta.db_table
        self.names = [f.attname for f in fields]
        self.columns = [f.column for f in fields]
        # COPY's CSV has no NULL but the unquoted empty field, and the csv module quotes
        # an empty one; FORCE_NULL reads "" as NULL in the nullable columns, none of which
        # is text, so no empty string is lost.
        self.nullable = [f.column for f in fields if f.null]
        assert not any(
            f.null and f.get_internal_type() in ("CharField", "TextField", "EmailField")
            for f in fields
        ), f"{self.db_table} has a nullable text column"
        self.template = {f.attname: _column_default(f, now) for f in fields}
        self.ids = _Ids(self.db_table)
        self.rows: list[tuple] = []
        self.written = 0
        self.seconds = 0.0  # writing, not making
        self.checked = False

    def add(self, **values) -> int:
        pk = self.ids.take()
        row = {**self.template, **values}
        row["id"] = pk
        if not self.checked:
            missing = [n for n, v in row.items() if v is _REQUIRED]
            unknown = set(values) - set(self.template)
            if missing or unknown:
                raise ValueError(f"{self.db_table}: missing {missing}, unknown {unknown}")
            self.checked = True
        self.rows.append(tuple(row.values()))
        return pk

    def amend_last(self, **values) -> None:
        """Set columns of the row added last, known only once its children are drawn."""
        row = dict(zip(self.names, self.rows[-1], strict=True))
        unknown = set(values) - set(row)
        if unknown:
            raise ValueError(f"{self.db_table}: unknown {unknown}")
        row.update(values)
        self.rows[-1] = tuple(row.values())

    def copy_sql(self) -> str:
        columns = ", ".join(f'"{c}"' for c in self.columns)
        force_null = ", ".join(f'"{c}"' for c in self.nullable)
        options = f", FORCE_NULL ({force_null})" if force_null else ""
        return f'COPY "{self.db_table}" ({columns}) FROM STDIN WITH (FORMAT csv{options})'

    def write(self) -> int:
        n = len(self.rows)
        if not n:
            return 0
        started = time.perf_counter()
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n").writerows(
                self.rows
            )
            buffer.seek(0)
            with connection.cursor() as cursor:
                cursor.copy_expert(self.copy_sql(), buffer)
        else:
            model, names = self.model, self.names
            model._default_manager.bulk_create(
                [model(**dict(zip(names, row, strict=True))) for row in self.rows],
                batch_size=BATCH_SIZE,
            )
        self.rows = []
        self.written += n
        self.seconds += time.perf_counter() - started
        return n


class _Tables:
    """The tables a participant's records go to, in the order they are written."""

    def __init__(self, now: datetime):
        self.participants = _Table(Participant, "participants", now)
        self.changes = _Table(StatusChange, "status changes", now)
        self.needs = _Table(ParticipantNeed, "participant needs", now)
        self.consultations = _Table(Consultation, "consultations", now)
        self.discussed = _Table(Consultation.needs_discussed.through, "needs discussed", now)
        self.assessments = _Table(Assessment, "assessments", now)
        self.referrals = _Table(Referral, "referrals", now)
        self.referral_changes = _Table(ReferralStatusChange, "referral status changes", now)
        self.links = _Table(FeedbackLink, "feedback links", now)
        self.checking = 0.0

    def all(self) -> list[_Table]:
        return [
            self.participants,
            self.changes,
            self.needs,
            self.consultations,
            self.discussed,
            self.assessments,
            self.referrals,
            self.referral_changes,
            self.links,
        ]

    def write(self, counts: dict[str, int]) -> None:
        for table in self.all():
            _count(counts, table.name, table.write())
        if connection.vendor == "postgresql":
            # The batch's deferred foreign-key checks, now rather than all at commit: the
            # server keeps a batch's pending checks in memory, not fourteen million.
            started = time.perf_counter()
            connection.check_constraints()
            self.checking += time.perf_counter() - started

    def finish(self) -> None:
        for table in self.all():
            table.ids.finish()


def _participants_batch(ctx: _Context, tables: _Tables, refs: list[tuple[int, Practice | None]]):
    for ref_number, practice in refs:
        _participant(ctx, tables, ref_number, practice)
    tables.write(ctx.counts)


def _chi(ctx: _Context, rng: random.Random, dob: date, sex: str) -> tuple[str, date]:
    while True:
        for _ in range(20):
            chi = make_chi(date_of_birth=dob, sex=sex, rng=rng)
            if chi not in ctx.chis:
                ctx.chis.add(chi)
                return chi, dob
        dob += timedelta(days=1)


_SEXES = [Sex.FEMALE, Sex.MALE, Sex.OTHER, Sex.NOT_KNOWN]
_CONTACTS = list(PreferredContact)
_REFERRED_BY = list(ReferredBy)
_PROGRESS = list(GoalProgress)


def _participant(
    ctx: _Context, tables: _Tables, ref_number: int, practice: Practice | None = None
) -> None:
    """One participant and everything that happened to them, from their own generator.
    `practice`: theirs (the dense practice); otherwise drawn by list size."""
    rng = random.Random(f"{ctx.seed}:participant:{ref_number}")
    today = ctx.today
    if practice is None:
        weights = ctx.practice_weights
        practice = ctx.practices[bisect(weights, rng.random() * weights[-1])]
    clp_id = ctx.clp_of[practice.pk].pk
    sex = rng.choices(_SEXES, [54, 44, 1, 1])[0]
    names_sex = sex if sex in FIRST_NAMES else rng.choice([Sex.FEMALE, Sex.MALE])
    dob = date(1935, 1, 1) + timedelta(days=rng.randrange(365 * 70))
    chi, dob = _chi(ctx, rng, dob, sex)
    referred_on = _between(rng, practice.joined_on, today - timedelta(days=2))
    age = (today - referred_on).days
    open_share = 0.92 if age < 180 else 0.55 if age < 365 else 0.12 if age < 730 else 0.03
    closed = rng.random() > open_share
    closed_on = reason = None
    if closed:
        closed_on = _between(rng, referred_on + timedelta(days=min(age, 21)), today)
        reason = _discharge_reason(rng)
    end = closed_on or today
    quintile_weights = QUINTILE_WEIGHTS[practice.deep_end]
    quintile = rng.choices([1, 2, 3, 4, 5, 0], quintile_weights)[0]
    candidates: list[SimdPostcode] | list[None] = ctx.postcodes_by_quintile.get(quintile) or [None]
    lookup = rng.choice(candidates)
    postcode = lookup.postcode if lookup else f"G{rng.randrange(1, 99)} 9ZZ"
    first = rng.choice(FIRST_NAMES[names_sex])
    last = rng.choice(LAST_NAMES)
    phone = f"07700 9{rng.randrange(10000, 99999)}"
    email = f"{first.lower()}.{ref_number}@example.com" if rng.random() < 0.3 else ""
    participant_id = tables.participants.add(
        ref=f"P{ref_number}",
        practice_id=practice.pk,
        clp_id=clp_id,
        chi=chi,
        first_name=first,
        last_name=last,
        date_of_birth=dob,
        sex=sex,
        postcode=postcode,
        simd_data_zone=lookup.data_zone if lookup else "",
        simd_decile=lookup.decile if lookup else None,
        simd_quintile=lookup.quintile if lookup else None,
        phone=phone,
        email=email,
        address=f"{rng.randrange(1, 200)} {rng.choice(STREETS)}",
        preferred_contact=rng.choices(_CONTACTS, [60, 30, 5, 5])[0],
        consent_given=True,
        consent_on=referred_on,
        referred_on=referred_on,
        referred_by=rng.choices(_REFERRED_BY, [55, 15, 15, 10, 5])[0],
        referral_reason=rng.choice(REASONS),
        next_contact_on=None if closed else today + timedelta(days=rng.randrange(-10, 29)),
        status=CaseStatus.CLOSED if closed else CaseStatus.OPEN,
        closed_on=closed_on,
        discharge_reason=reason or "",
    )
    if closed:
        tables.changes.add(
            participant_id=participant_id,
            status=CaseStatus.CLOSED,
            on=closed_on or today,  # a closed case always has both
            discharge_reason=reason or "",
            by_id=clp_id,
        )

    # Needs: one to four, from any domain; complexity follows.
    needs = rng.sample(ctx.need_ids, k=min(len(ctx.need_ids), rng.choice([1, 2, 2, 3, 3, 4])))
    for need_id in needs:
        resolved = None
        if closed and reason == DischargeReason.GOALS_MET and rng.random() < 0.7:
            resolved = closed_on
        tables.needs.add(
            participant_id=participant_id,
            need_id=need_id,
            identified_on=referred_on,
            resolved_on=resolved,
            recorded_by_id=clp_id,
        )
    # Each domain's first need, as the database keeps it (written here with the participant;
    # the need's trigger is off for the block, `_need_domains_suspended`).
    tables.participants.amend_last(
        **{DOMAIN_DATES[ctx.need_domains[need_id]]: referred_on for need_id in needs}
    )

    # Consultations: the first within a fortnight, the rest over the months that follow.
    n = _consultation_count(rng)
    first_visit = min(end, referred_on + timedelta(days=rng.randrange(1, 15)))
    last_visit = min(end, first_visit + timedelta(days=rng.randrange(60, 420)))
    dates = sorted([first_visit] + [_between(rng, first_visit, last_visit) for _ in range(n - 1)])
    dates = dates[:n]
    attended_dates = []
    for on in dates:
        dna = rng.random() < DNA_RATE
        consultation_id = tables.consultations.add(
            participant_id=participant_id,
            clp_id=clp_id,
            practice_id=practice.pk,
            caseload_clp_id=clp_id,
            date=on,
            mode=_mode(rng),
            duration_minutes=0 if dna else rng.choice([20, 30, 30, 40, 45, 60, 90]),
            attended=not dna,
            goals="" if dna else rng.choice(GOALS),
            goal_progress="" if dna else rng.choice(_PROGRESS),
            notes="Did not attend; left a voicemail." if dna else rng.choice(CONSULTATION_NOTES),
        )
        if dna:
            _count(ctx.counts, "consultations not attended", 1)
        else:
            _count(ctx.counts, "consultations attended", 1)
            attended_dates.append(on)
            if rng.random() < 0.6:
                tables.discussed.add(consultation_id=consultation_id, need_id=rng.choice(needs))

    # Referrals to community resources, mostly local, never two open to one service.
    local = ctx.resources_by_area.get(ctx.area_of[practice.pk]) or ctx.resources
    k = min(_referral_count(rng), len(local))
    engaged_on_dates = []
    for resource in (
        rng.sample(local, k=k)
        if rng.random() < 0.85
        else rng.sample(ctx.resources, k=min(k, len(ctx.resources)))
    ):
        on = rng.choice(attended_dates) if attended_dates else _between(rng, referred_on, end)
        referral = _referral(
            ctx,
            tables,
            rng,
            participant_id,
            practice.pk,
            clp_id,
            resource.pk,
            on,
            need_id=rng.choice(needs),
        )
        if referral.status in (ReferralStatus.ATTENDED, ReferralStatus.ENGAGED):
            engaged_on_dates.append(referral.date)

    _outcomes(
        ctx,
        tables,
        rng,
        participant_id=participant_id,
        clp_id=clp_id,
        practice=practice,
        no_follow_up=reason in NO_FOLLOW_UP,
        attended=attended_dates,
        engaged_dates=engaged_on_dates,
    )


class _Referral:
    """What the referral's builders read and set, before it becomes a row."""

    def __init__(self, on: date, status: str):
        self.date = on
        self.status = status
        self.status_on = on
        self.referred_on: date | None = None
        self.attended_on: date | None = None
        self.engaged_on: date | None = None
        self.feedback_at: datetime | None = None
        self.feedback_attended: bool | None = None
        self.feedback_engaged: bool | None = None
        self.feedback_appropriate: bool | None = None
        self.feedback_relevant: bool | None = None


def _referral(
    ctx, tables: _Tables, rng, participant_id, practice_id, clp_id, resource_id, on, *, need_id
) -> _Referral:
    today = ctx.today
    final, steps = _referral_path(rng)
    if (today - on).days < 21 and final not in (ReferralStatus.SUGGESTED, ReferralStatus.REFERRED):
        # Too soon to have heard how it went.
        final, steps = ReferralStatus.REFERRED, [ReferralStatus.SUGGESTED, ReferralStatus.REFERRED]
    referral = _Referral(on, final)
    note = rng.choice(CONSULTATION_NOTES) if rng.random() < 0.3 else ""
    changes = referral_step_dates(referral, steps, rng, until=today, by_organisation=0.5)
    answered = any(from_organisation for _, _, from_organisation in changes) or (
        referral.referred_on is not None and rng.random() < 0.3
    )
    issued = None
    if answered:
        answered_at = datetime.combine(referral.status_on, clock(rng.randrange(9, 17)))
        answered_on = timezone.make_aware(answered_at)
        feedback_answer(referral, rng, at=answered_on)
        issued = answered_on - timedelta(days=rng.randrange(1, 20))
    referral_id = tables.referrals.add(
        participant_id=participant_id,
        practice_id=practice_id,
        resource_id=resource_id,
        clp_id=clp_id,
        date=on,
        need_id=need_id,
        note=note,
        status=final,
        status_on=referral.status_on,
        referred_on=referral.referred_on,
        attended_on=referral.attended_on,
        engaged_on=referral.engaged_on,
        feedback_at=referral.feedback_at,
        feedback_attended=referral.feedback_attended,
        feedback_engaged=referral.feedback_engaged,
        feedback_appropriate=referral.feedback_appropriate,
        feedback_relevant=referral.feedback_relevant,
    )
    _count(ctx.counts, f"referrals {final}", 1)
    for status, day, from_organisation in changes:
        tables.referral_changes.add(
            referral_id=referral_id,
            status=status,
            on=day,
            by_id=None if from_organisation else clp_id,
            by_organisation=from_organisation,
        )
    if issued is not None:
        tables.links.add(
            referral_id=referral_id,
            nonce_hash=hashlib.sha256(rng.randbytes(32)).hexdigest(),
            issued_by_id=clp_id,
            issued_at=issued,
            expires_at=issued + links.LIFETIME,
            used_at=referral.feedback_at,
        )
    return referral


_ITEMS = (*HADS_ITEMS, *WEMWBS_ITEMS, *EQ5D_DIMENSIONS, "eq5d_vas", *ONS4_ITEMS)


def _assessment(
    ctx, tables: _Tables, rng, *, participant_id, clp_id, practice, timepoint, on, severity
) -> None:
    """As `devdata.builders.assessment_build`, scored by `apply_scores`, written as a row."""
    values: dict[str, int | None] = dict.fromkeys(_ITEMS)
    values.update(item_scores(rng, HADS_ITEMS, 0, 3, severity))
    if rng.random() < 0.05:
        values[rng.choice(HADS_ITEMS)] = None  # a questionnaire left unfinished: never scored
    uses = ctx.uses[practice.pk]
    if "wemwbs" in uses:
        values.update(item_scores(rng, WEMWBS_ITEMS, 1, 5, 1 - severity))
    if "eq5d" in uses:
        values.update(item_scores(rng, EQ5D_DIMENSIONS, 1, 5, severity))
        values["eq5d_vas"] = min(100, max(0, round(rng.gauss(100 * (1 - severity), 12))))
    if "ons4" in uses:
        values.update(item_scores(rng, ONS4_ITEMS[:3], 0, 10, 1 - severity))
        values["ons_anxiety"] = min(10, max(0, round(rng.gauss(10 * severity, 2))))
    exercise_days = min(7, max(0, round(rng.gauss(7 * (1 - severity) - 1.5, 1.5))))
    scored = SimpleNamespace(**values)
    apply_scores(cast(Any, scored))
    tables.assessments.add(
        participant_id=participant_id,
        timepoint=timepoint,
        date=on,
        recorded_by_id=clp_id,
        exercise_days=exercise_days,
        **vars(scored),
    )
    kind = "baseline assessments" if timepoint == Timepoint.BASELINE else "follow-up assessments"
    _count(ctx.counts, kind, 1)


def _outcomes(
    ctx, tables, rng, *, participant_id, clp_id, practice, no_follow_up, attended, engaged_dates
) -> None:
    """A baseline at the first attended consultation for most; the nine-month follow-up for
    many of those whose follow-up has come due. People seen more often, and people who
    engaged with a resource, improve more, as the programme's evaluation found."""
    if not attended or rng.random() > 0.86:
        return
    baseline_on = attended[0]
    severity = rng.uniform(0.3, 0.85)
    who = {"participant_id": participant_id, "clp_id": clp_id, "practice": practice}
    _assessment(
        ctx, tables, rng, **who, timepoint=Timepoint.BASELINE, on=baseline_on, severity=severity
    )
    due = add_months(baseline_on, FOLLOW_UP_MONTHS)
    if due > ctx.today or no_follow_up or rng.random() > 0.72:
        return
    on = min(ctx.today, due + timedelta(days=rng.randrange(-10, 45)))
    dose = sum(1 for d in attended if baseline_on <= d <= on)
    engaged = any(d <= on for d in engaged_dates)
    improvement = rng.gauss(0.02, 0.08) + 0.025 * min(dose, 6) + (0.06 if engaged else 0.0)
    _assessment(
        ctx,
        tables,
        rng,
        **who,
        timepoint=Timepoint.FOLLOW_UP,
        on=on,
        severity=max(0.0, severity - improvement),
    )


def _complete_follow_ups(ctx: _Context) -> None:
    """Recorded follow-up assessments complete their follow-ups (as `followup_complete` does
    one at a time, here in one UPDATE), and a share of those never done were declined rather
    than missed."""
    practice_ids = [p.pk for p in ctx.practices] + ([ctx.dense.pk] if ctx.dense else [])
    in_run = FollowUp.objects.filter(participant__practice_id__in=practice_ids)
    recorded = Assessment.objects.filter(
        participant=OuterRef("participant"), timepoint=Timepoint.FOLLOW_UP
    )
    now = timezone.now()
    completed = (
        in_run.filter(Exists(recorded), assessment__isnull=True)
        .exclude(status=FollowUpStatus.NOT_APPLICABLE)
        .update(
            status=FollowUpStatus.COMPLETED,
            assessment_id=Subquery(recorded.values("pk")[:1]),
            closed_on=Subquery(recorded.values("date")[:1]),
            closed_by_id=Subquery(recorded.values("recorded_by_id")[:1]),
            reason="",
            updated_at=now,
        )
    )
    _count(ctx.counts, "follow-ups completed", completed)
    # About one in five of those never done: chosen by id, so the same data set every time.
    declined = (
        in_run.filter(status__in=[FollowUpStatus.OVERDUE, FollowUpStatus.MISSED])
        .alias(bucket=Mod("pk", 5))
        .filter(bucket=0)
        .update(
            status=FollowUpStatus.DECLINED,
            reason="Did not want to complete the questionnaires",
            closed_on=F("due_on"),
            closed_by_id=Subquery(
                Participant.objects.filter(pk=OuterRef("participant")).values("clp_id")[:1]
            ),
            updated_at=now,
        )
    )
    _count(ctx.counts, "follow-ups declined", declined)
