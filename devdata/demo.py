"""A synthetic demo programme: Glasgow Deep End practices, their staff and caseloads.

Everything here is invented. Building it twice changes nothing: rows are found by their
natural keys (practice code, username, CHI number) before anything is created.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from devdata import names
from devdata.builders import assessment_build, item_scores, simd_demo_load, staff_survey_answers
from participants.chi import make_chi
from participants.dates import FOLLOW_UP_MONTHS, add_months
from participants.followups import followup_complete, followups_run
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
    Need,
    Participant,
    ParticipantNeed,
    ReferredBy,
    Sex,
    SimdPostcode,
    StatusChange,
    Timepoint,
)
from participants.services import participant_next_ref
from practices.models import (
    Attachment,
    HealthBoard,
    Practice,
    StaffRole,
    StaffSurveyResponse,
    StaffSurveyRound,
)

DEMO_PASSWORD = "links-demo-2026"

PRACTICES = [
    # code, name, deep end, list size, joined
    ("90001", "Calder Street Practice", True, 5400, date(2017, 4, 1)),
    ("90002", "Riverside Medical Group", True, 8100, date(2017, 4, 1)),
    ("90003", "Northfield Health Centre", True, 6300, date(2019, 9, 1)),
    ("90004", "Eastgate Family Practice", True, 4200, date(2021, 1, 11)),
    ("90005", "Westbrae Surgery", False, 7600, date(2023, 6, 5)),
]

STAFF = [
    # username, full name, programme lead, superuser, [(practice code, role)]
    ("anna.clp", "Anna Mackay", False, False, [("90001", "clp"), ("90002", "clp")]),
    ("jamie.clp", "Jamie Reid", False, False, [("90003", "clp"), ("90004", "clp")]),
    ("priya.clp", "Priya Shah", False, False, [("90005", "clp")]),
    ("fiona.pm", "Fiona Campbell", False, False, [("90001", "practice_manager")]),
    ("morag.lead", "Morag Stewart", True, False, []),
    ("admin", "Site Administrator", False, True, []),
]

# The demo takes the first entries of each shared list: enough for a small programme, and a
# fixed number, so that growing the lists for the volume data set leaves the demo as it was.
FIRST_NAMES = {sex: given[:15] for sex, given in names.FIRST_NAMES.items()}
LAST_NAMES = names.LAST_NAMES[:20]
REASONS = names.REASONS[:8]
GOALS = names.GOALS[:6]
NOTES = names.CONSULTATION_NOTES[:5]


@dataclass
class DemoSummary:
    practices: int
    staff: int
    participants: int
    consultations: int


def _practices() -> dict[str, Practice]:
    out = {}
    for code, name, deep_end, list_size, joined in PRACTICES:
        practice, _ = Practice.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "health_board": HealthBoard.GREATER_GLASGOW_CLYDE,
                "deep_end": deep_end,
                "list_size": list_size,
                "joined_on": joined,
            },
        )
        out[code] = practice
    return out


def _staff(practices: dict[str, Practice]) -> dict[str, User]:
    out = {}
    for username, full_name, lead, superuser, attachments in STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                full_name=full_name,
                email=f"{username}@example.org",
                is_programme_lead=lead,
                is_superuser=superuser,
                is_staff=superuser,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        for code, role in attachments:
            Attachment.objects.get_or_create(
                user=user,
                practice=practices[code],
                role=role,
                defaults={"started_on": practices[code].joined_on},
            )
        out[username] = user
    return out


def _more_measures(participant: Participant, level: float) -> dict[str, int | None]:
    """WEMWBS, EQ-5D-5L and ONS4 for most participants (the programme uses them where it
    can), from their own generator so the rest of the demo stays as it was. `level` is how
    unwell the person is, 0-1."""
    if random.Random(f"uses-{participant.chi}").random() < 0.15:
        return {}
    rng = random.Random(f"measures-{participant.chi}-{level:.3f}")
    wellbeing = 1.0 - level
    scores: dict[str, int | None] = {
        **item_scores(rng, WEMWBS_ITEMS, 1, 5, wellbeing, spread=0.7),
        **item_scores(rng, EQ5D_DIMENSIONS, 1, 5, level, spread=0.8),
        "eq5d_vas": min(100, max(0, round(rng.gauss(100 * wellbeing, 10)))),
    }
    for name in ONS4_ITEMS:
        high = name == "ons_anxiety"
        scores[name] = min(10, max(0, round(rng.gauss(10 * (level if high else wellbeing), 1.5))))
    return scores


def _assessments(
    participant: Participant,
    clp: User,
    visits: list,
    rng: random.Random,
    *,
    due_now: bool,
    always_followed_up: bool = False,
) -> None:
    today = timezone.localdate()
    attended = [d for d, dna in visits if not dna]
    if not due_now and (not attended or rng.random() < 0.15):
        return
    baseline_on = attended[0] if attended else participant.referred_on
    if due_now:
        # A few cases per CLP whose nine-month follow-up fell due in the last few days.
        baseline_on = add_months(today - timedelta(days=rng.randrange(0, 5)), -FOLLOW_UP_MONTHS)
    severity = rng.uniform(0.35, 0.85)
    exercise_days = rng.randrange(0, 4)
    scores = item_scores(rng, HADS_ITEMS, 0, 3, severity, spread=0.8)
    if rng.random() < 0.1:
        scores["hads_14"] = None  # a questionnaire left unfinished: saved, never scored
    baseline = assessment_build(
        participant=participant,
        timepoint=Timepoint.BASELINE,
        on=baseline_on,
        recorded_by=clp,
        exercise_days=exercise_days,
        scores={**scores, **_more_measures(participant, severity)},
    )
    baseline.save()
    due = add_months(baseline_on, FOLLOW_UP_MONTHS)
    if due_now or due > today or (rng.random() < 0.3 and not always_followed_up):
        return
    # People who were seen more tend to improve more, as in the programme's evaluation.
    improvement = rng.uniform(-0.05, 0.12) + 0.04 * min(len(attended), 5)
    # Practices differ a little, as real ones do: the mixed model's random effect.
    improvement += 0.03 * (int(participant.practice.code[-1]) - 3)
    on = min(today, due + timedelta(days=rng.randrange(0, 30)))
    exercise_days = min(7, exercise_days + rng.randrange(0, 3))
    scores = item_scores(rng, HADS_ITEMS, 0, 3, max(0.0, severity - improvement), spread=0.8)
    follow_up = assessment_build(
        participant=participant,
        timepoint=Timepoint.FOLLOW_UP,
        on=on,
        recorded_by=clp,
        exercise_days=exercise_days,
        scores={**scores, **_more_measures(participant, max(0.0, severity - improvement))},
    )
    follow_up.save()


def _caseload(
    practice: Practice, clp: User, seed: int, size: int, *, cohort: bool = False
) -> tuple[int, int]:
    """A CLP's caseload. The cohort (`cohort=True`) are people referred 12 to 18 months ago,
    seen soon after and followed up at nine months: enough pairs across the practices for
    the annual report's adjusted analysis to be fitted on the demo year."""
    today = timezone.localdate()
    needs = list(Need.objects.filter(active=True).order_by("pk"))
    simd = {row.postcode: row for row in SimdPostcode.objects.all()}
    made_participants = made_consultations = 0
    for index in range(size):
        # One generator per participant: skipping an existing one leaves the rest unchanged.
        rng = random.Random(f"{seed}-{'cohort-' if cohort else ''}{practice.code}-{index}")
        sex = rng.choice([Sex.FEMALE, Sex.MALE, Sex.FEMALE, Sex.MALE, Sex.OTHER])
        names_sex = sex if sex in FIRST_NAMES else rng.choice([Sex.FEMALE, Sex.MALE])
        dob = date(1945, 1, 1) + timedelta(days=rng.randrange(365 * 57))
        chi = make_chi(date_of_birth=dob, sex=sex, rng=rng)
        due_now = index % 6 == 2 and not cohort
        referred_on = today - timedelta(days=rng.randrange(*((370, 540) if cohort else (20, 540))))
        if due_now:
            referred_on = add_months(today, -FOLLOW_UP_MONTHS) - timedelta(days=30)
        first = rng.choice(FIRST_NAMES[names_sex])
        last = rng.choice(LAST_NAMES)
        n_consultations = rng.choice(
            [1, 1, 2, 2, 3, 3, 4, 5, 6] if cohort else [0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 8]
        )
        closed = not due_now and rng.random() < 0.2 and referred_on < today - timedelta(days=120)
        within = 80 if cohort else (today - referred_on).days
        visit_dates = sorted(
            referred_on + timedelta(days=rng.randrange(3, max(4, within)))
            for _ in range(n_consultations)
        )
        dna_flags = [rng.random() < 0.15 for _ in visit_dates]
        postcode = rng.choice(names.POSTCODES)
        lookup = simd.get(postcode)
        chosen_needs = rng.sample(needs, k=min(len(needs), rng.choice([1, 2, 2, 3, 3, 4])))
        if Participant.objects.filter(chi=chi).exists():
            continue
        participant = Participant.objects.create(
            ref=participant_next_ref(),
            practice=practice,
            clp=clp,
            chi=chi,
            first_name=first,
            last_name=last,
            date_of_birth=dob,
            sex=sex,
            postcode=postcode,
            simd_data_zone=lookup.data_zone if lookup else "",
            simd_decile=lookup.decile if lookup else None,
            simd_quintile=lookup.quintile if lookup else None,
            phone=f"07700 9{rng.randrange(10000, 99999)}",
            consent_given=True,
            consent_on=referred_on,
            referred_on=referred_on,
            referred_by=rng.choice(
                [
                    ReferredBy.GP,
                    ReferredBy.GP,
                    ReferredBy.NURSE,
                    ReferredBy.PRACTICE_STAFF,
                    ReferredBy.SELF,
                ]
            ),
            referral_reason=rng.choice(REASONS),
            status=CaseStatus.CLOSED if closed else CaseStatus.OPEN,
            closed_on=today - timedelta(days=rng.randrange(1, 60)) if closed else None,
            discharge_reason=rng.choice(
                [DischargeReason.GOALS_MET, DischargeReason.DISENGAGED, DischargeReason.MOVED]
            )
            if closed
            else "",
        )
        made_participants += 1
        Consultation.objects.bulk_create(
            Consultation(
                participant=participant,
                clp=clp,
                date=visit_date,
                mode=rng.choice(
                    [
                        ConsultationMode.PRACTICE,
                        ConsultationMode.PRACTICE,
                        ConsultationMode.TELEPHONE,
                        ConsultationMode.HOME,
                        ConsultationMode.VIDEO,
                    ]
                ),
                duration_minutes=0 if dna else rng.choice([20, 30, 40, 45, 60]),
                attended=not dna,
                goals="" if dna else rng.choice(GOALS),
                notes="Did not attend; left a voicemail." if dna else rng.choice(NOTES),
            )
            for visit_date, dna in zip(visit_dates, dna_flags, strict=True)
        )
        made_consultations += len(visit_dates)
        ParticipantNeed.objects.bulk_create(
            ParticipantNeed(
                participant=participant, need=need, identified_on=referred_on, recorded_by=clp
            )
            for need in chosen_needs
        )
        _assessments(
            participant,
            clp,
            list(zip(visit_dates, dna_flags, strict=True)),
            rng,
            due_now=due_now,
            always_followed_up=cohort,
        )
        if closed:
            StatusChange.objects.create(
                participant=participant,
                status=CaseStatus.CLOSED,
                on=participant.closed_on or participant.referred_on,  # always set when closed
                discharge_reason=participant.discharge_reason,
                by=clp,
            )
    return made_participants, made_consultations


def _staff_survey(practices: dict[str, Practice]) -> None:
    """The last three years' answers, for each year a practice has none yet."""
    this_year = timezone.localdate().year
    for code, practice in practices.items():
        for year in (this_year - 2, this_year - 1, this_year):
            if StaffSurveyResponse.objects.filter(practice=practice, year=year).exists():
                continue
            rng = random.Random(f"survey-{code}-{year}")
            StaffSurveyResponse.objects.bulk_create(
                staff_survey_answers(
                    practice=practice, year=year, respondents=rng.randrange(8, 16), rng=rng
                )
            )


def _survey_round(staff: dict[str, User]) -> None:
    """This year's round, open, so practice managers see their link and the lead its
    results; the demo's answers for this year belong to it."""
    today = timezone.localdate()
    survey_round, _ = StaffSurveyRound.objects.get_or_create(
        year=today.year,
        defaults={
            "opened_on": today.replace(month=1, day=1),
            "closes_on": today + timedelta(days=60),
            "opened_by": staff["morag.lead"],
        },
    )
    StaffSurveyResponse.objects.filter(year=today.year, round=None).update(round=survey_round)


@transaction.atomic
def build_demo(*, seed: int = 20170401) -> DemoSummary:
    simd_demo_load()
    practices = _practices()
    staff = _staff(practices)
    _staff_survey(practices)
    _survey_round(staff)
    participants = consultations = 0
    for username, *_rest, attachments in STAFF:
        for code, role in attachments:
            if role == StaffRole.CLP:
                p, c = _caseload(practices[code], staff[username], seed, size=18)
                participants += p
                consultations += c
                p, c = _caseload(practices[code], staff[username], seed, size=8, cohort=True)
                participants += p
                consultations += c
    followups_run()
    for assessment in Assessment.objects.filter(
        timepoint=Timepoint.FOLLOW_UP, completes__isnull=True
    ).select_related("participant"):
        followup_complete(assessment=assessment)
    return DemoSummary(len(practices), len(staff), participants, consultations)
