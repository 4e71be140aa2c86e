"""Realistic, synthetic programme files of any size, written through the same column specs
as the exporter: for the query-count tests and the import benchmark."""

from __future__ import annotations

import random
from datetime import date, timedelta

from devdata.names import POSTCODES
from exchange.exporter import write_csv
from exchange.formats import (
    ASSESSMENTS,
    CONSULTATIONS,
    PARTICIPANTS,
    PRACTICES,
    REFERRALS,
    RESOURCES,
    STAFF,
    STAFF_SURVEY,
)
from participants.chi import make_chi
from participants.dates import FOLLOW_UP_MONTHS, add_months

NEEDS = [
    "Long-term condition",
    "Pain",
    "Physical inactivity",
    "Anxiety or depression",
    "Stress",
    "Bereavement",
    "Social isolation",
    "Money and debt",
    "Benefits",
    "Housing",
    "Employment",
    "Caring responsibilities",
    "Food",
    "Fuel",
]
CATEGORIES = [
    "Physical activity",
    "Mental wellbeing",
    "Money advice",
    "Housing",
    "Social groups",
    "Carers",
    "Food",
]
FIRST = ["Margaret", "Agnes", "Kirsty", "Shona", "Amina", "John", "Craig", "Marek", "Ryan", "Ali"]
LAST = ["Paterson", "Hughes", "Boyle", "Sweeney", "MacLeod", "Campbell", "Khan", "Nowak"]


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange(max((end - start).days, 1)))


def programme_files(
    *, participants: int, seed: int = 1, today: date = date(2026, 1, 31)
) -> dict[str, bytes]:
    """About 3 consultations, 1 referral and 1–2 assessments per participant, spread over
    a practice per 500 participants (at least two)."""
    rng = random.Random(seed)
    practices = [
        (
            f"{40000 + n}",
            f"Practice {n}",
            "greater_glasgow_clyde",
            n % 3 != 0,
            rng.randrange(3000, 12000),
            date(2017, 4, 1),
            None,
        )
        for n in range(max(2, participants // 500))
    ]
    codes = [p[0] for p in practices]
    clps = {code: f"clp.{code}" for code in codes}
    staff = [
        (clps[code], f"CLP {code}", f"{clps[code]}@example.org", "clp", (code,), date(2017, 4, 1))
        for code in codes
    ]
    staff += [
        (f"pm.{code}", f"Manager {code}", "", "practice_manager", (code,), date(2018, 1, 8))
        for code in codes
    ]
    staff.append(
        ("lead", "Programme Lead", "lead@example.org", "programme_lead", (), date(2016, 9, 1))
    )
    resources = [
        (
            f"Service {n}",
            f"Organisation {n // 3}",
            tuple(sorted(rng.sample(CATEGORIES, rng.randint(1, 2)))),
            "Glasgow",
            rng.choice(["", "G21 1AA"]),
            "",
            "",
            "",
        )
        for n in range(max(5, participants // 200))
    ]
    people, consultations, referrals, assessments = [], [], [], []
    chis: set[str] = set()
    for n in range(participants):
        ref = f"P{10000 + n}"
        code = rng.choice(codes)
        sex = rng.choice(["female", "male", "female", "male", "other", "not_known"])
        born = _day(rng, date(1940, 1, 1), date(2004, 12, 31))
        chi = make_chi(date_of_birth=born, sex=sex, rng=rng)
        while chi in chis:
            chi = make_chi(date_of_birth=born, sex=sex, rng=rng)
        chis.add(chi)
        referred = _day(rng, date(2022, 1, 1), today - timedelta(days=60))
        closed = rng.random() < 0.4
        closed_on = _day(rng, referred + timedelta(days=30), today) if closed else None
        people.append(
            (
                ref,
                code,
                clps[code],
                chi,
                rng.choice(FIRST),
                rng.choice(LAST),
                born,
                sex,
                rng.choice([*POSTCODES, "", "G1 1XQ"]),
                referred,
                rng.choice(["gp", "nurse", "practice_staff", "self", "other"]),
                tuple(sorted(rng.sample(NEEDS, rng.randint(1, 3)))),
                "closed" if closed else "open",
                closed_on,
                rng.choice(["goals_met", "disengaged", "moved"]) if closed else "",
            )
        )
        last = closed_on or today
        for _ in range(rng.choice([1, 2, 3, 3, 4, 5])):
            attended = rng.random() > 0.1
            consultations.append(
                (
                    ref,
                    _day(rng, referred, last),
                    clps[code],
                    rng.choice(["practice", "home", "telephone", "video"]),
                    rng.choice([20, 30, 45, 60]) if attended else 0,
                    attended,
                )
            )
        for resource in rng.sample(resources, rng.choice([0, 1, 1, 1, 2])):
            referrals.append(
                (
                    ref,
                    resource[0],
                    _day(rng, referred, last),
                    rng.choice(["suggested", "referred", "attended", "engaged", "declined"]),
                    rng.choice([True, False, None]),
                )
            )
        baseline = min(referred + timedelta(days=rng.randrange(0, 21)), today)
        timepoints = [("baseline", baseline)]
        follow_up = add_months(baseline, FOLLOW_UP_MONTHS)
        if follow_up <= today and rng.random() < 0.6:
            timepoints.append(("follow_up", follow_up))
        for timepoint, on in timepoints:
            items = [None if rng.random() < 0.03 else rng.randrange(4) for _ in range(14)]
            wellbeing = [rng.randrange(1, 6) for _ in range(14 + 5)]
            if rng.random() < 0.5:
                wellbeing = [None] * len(wellbeing)  # WEMWBS and EQ-5D not used here
            ons4 = [rng.randrange(11) for _ in range(4)]
            assessments.append(
                (
                    ref,
                    on,
                    timepoint,
                    *items,
                    rng.choice([None, *range(8)]),
                    *wellbeing,
                    None if wellbeing[0] is None else rng.randrange(101),
                    *ons4,
                )
            )
    survey = [
        (code, year, rng.random() < 0.5, rng.random() < 0.3)
        for code in codes
        for year in (2023, 2024, 2025)
        for _ in range(rng.randint(3, 12))
    ]
    return {
        PRACTICES.name: write_csv(PRACTICES, practices),
        STAFF.name: write_csv(STAFF, staff),
        RESOURCES.name: write_csv(RESOURCES, resources),
        PARTICIPANTS.name: write_csv(PARTICIPANTS, people),
        CONSULTATIONS.name: write_csv(CONSULTATIONS, consultations),
        REFERRALS.name: write_csv(REFERRALS, referrals),
        ASSESSMENTS.name: write_csv(ASSESSMENTS, assessments),
        STAFF_SURVEY.name: write_csv(STAFF_SURVEY, survey),
    }
