"""Fixtures for programme data import and export, on top of the standing cast in
tests/conftest.py: a small valid set of files (as text, so each validation test changes one
cell), a programme built in the database that fills every column of every file, and helpers
to run the importer and snapshot the whole database."""

from __future__ import annotations

import random
from datetime import date

import pytest
from django.apps import apps
from django.core.cache import cache

from exchange.formats import SPECS
from exchange.importer import ImportResult, programme_check, programme_import
from participants.chi import make_chi
from participants.measures import apply_scores
from participants.models import (
    Assessment,
    Consultation,
    Need,
    Participant,
    ParticipantNeed,
    SimdPostcode,
)
from practices.models import Attachment, Practice, StaffSurveyResponse
from referrals.models import Referral
from tests.factories import UserFactory
from tests.referrals.factories import ResourceFactory

_rng = random.Random(11)
CHI_MORVEN = make_chi(date_of_birth=date(1961, 2, 24), sex="female", rng=_rng)
CHI_RYAN = make_chi(date_of_birth=date(1990, 4, 15), sex="male", rng=_rng)


def _csv(name: str, *rows: str) -> str:
    """A file as an older export wrote it: without the columns it may leave out."""
    header = [column.name for column in SPECS[name].columns if not column.may_be_absent]
    return "\n".join([",".join(header), *rows]) + "\n"


BASE_FILES = {
    "practices.csv": _csv(
        "practices.csv",
        "30001,Calder Street Practice,greater_glasgow_clyde,yes,5400,2017-04-01,",
        "30002,Old Mill Surgery,lothian,no,,2018-01-15,2023-03-31",
    ),
    "staff.csv": _csv(
        "staff.csv",
        "kim.clp,Kim Clark,kim.clp@example.org,clp,30001;30002,2017-04-01",
        "pat.pm,Pat Morgan,pat.pm@example.org,practice_manager,30001,2018-02-01",
        "lee.lead,Lee Lead,,programme_lead,,2016-09-01",
    ),
    "resources.csv": _csv(
        "resources.csv",
        "Tuesday walking group,Springburn Strollers,Physical activity;Social groups,"
        "Springburn,G21 1AA,0141 496 0000,walks@example.org,https://strollers.example.org",
        "Money advice drop-in,Citizens Advice Govan,Money advice,Govan,,,,",
    ),
    "participants.csv": _csv(
        "participants.csv",
        f"P2001,30001,kim.clp,{CHI_MORVEN},Morven,Test,1961-02-24,female,g21 1aa,2024-01-15,"
        "gp,Money and debt;Housing,open,,",
        f"P2002,30001,kim.clp,{CHI_RYAN},Ryan,Sample,1990-04-15,male,,2024-02-01,"
        "self,,closed,2024-06-30,goals_met",
    ),
    "consultations.csv": _csv(
        "consultations.csv",
        "P2001,2024-01-20,kim.clp,practice,30,yes",
        "P2001,2024-02-03,kim.clp,telephone,0,no",
    ),
    "referrals.csv": _csv("referrals.csv", "P2001,Tuesday walking group,2024-02-03,referred,yes"),
    "assessments.csv": _csv(
        "assessments.csv", "P2001,2024-01-20,baseline,2,1,3,2,2,1,3,1,2,2,1,0,2,1,2"
    ),
    "staff_survey.csv": _csv("staff_survey.csv", "30001,2024,yes,no", "30001,2024,no,no"),
}


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Uploaded files go to a directory of the test's own, never the project's var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def base_files() -> dict[str, str]:
    return dict(BASE_FILES)


def as_bytes(files: dict[str, str]) -> dict[str, bytes]:
    return {name: text.encode("utf-8") for name, text in files.items()}


def importing_lead():
    from accounts.models import User

    lead, _ = User.objects.get_or_create(
        username="importing.lead", defaults={"is_programme_lead": True}
    )
    return lead


def check(files: dict[str, str]) -> ImportResult:
    """What importing the files as a programme lead would do, writing nothing."""
    return programme_check(sources=as_bytes(files), user=importing_lead())


def load(files: dict[str, str], user=None, **kwargs) -> ImportResult:
    return programme_import(sources=as_bytes(files), user=user, **kwargs)


def replace_line(files: dict[str, str], name: str, line: int, text: str) -> dict[str, str]:
    """The files with line `line` (1 is the header) of `name` replaced."""
    lines = files[name].splitlines()
    lines[line - 1] = text
    return {**files, name: "\n".join(lines) + "\n"}


def set_cell(files: dict[str, str], name: str, line: int, column: str, value: str) -> dict:
    """The files with one cell changed (no quoting needed in the base files)."""
    lines = files[name].splitlines()
    header = lines[0].split(",")
    cells = lines[line - 1].split(",")
    cells[header.index(column)] = value
    return replace_line(files, name, line, ",".join(cells))


def snapshot() -> dict[str, list]:
    """Every row of every table the import could touch, updated_at included."""
    skipped = {"sessions", "admin", "axes", "contenttypes", "auth"}
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.app_label not in skipped
    }


@pytest.fixture
def programme(db, admin_user):
    """A small programme in the database that fills every column of every file at least
    once, blank optional values included."""
    calder = Practice.objects.create(
        code="30001",
        name="Calder Street Practice",
        health_board="greater_glasgow_clyde",
        deep_end=True,
        list_size=5400,
        joined_on=date(2017, 4, 1),
    )
    mill = Practice.objects.create(
        code="30002",
        name="Old Mill Surgery, Leith",
        health_board="lothian",
        deep_end=False,
        list_size=None,
        joined_on=date(2018, 1, 15),
        left_on=date(2023, 3, 31),
    )
    kim = UserFactory(username="kim.clp", full_name="Kim Clark", email="kim.clp@example.org")
    Attachment.objects.create(user=kim, practice=calder, role="clp", started_on=date(2017, 4, 1))
    Attachment.objects.create(user=kim, practice=mill, role="clp", started_on=date(2019, 6, 3))
    pat = UserFactory(username="pat.pm", full_name="Pat Morgan", email="")
    Attachment.objects.create(
        user=pat, practice=calder, role="practice_manager", started_on=date(2018, 2, 1)
    )
    UserFactory(username="lee.lead", full_name="Lee Lead", is_programme_lead=True)
    # A CLP who has left: still named on old consultations.
    gone = UserFactory(username="old.clp", full_name="Former CLP", email="old@example.org")
    Attachment.objects.create(
        user=gone,
        practice=calder,
        role="clp",
        started_on=date(2017, 4, 1),
        ended_on=date(2020, 1, 31),
    )
    walk = ResourceFactory(
        name="Tuesday walking group",
        organisation="Springburn Strollers",
        categories=["Physical activity", "Social groups"],
        area="Springburn",
        postcode="G21 1AA",
        phone="0141 496 0000",
        email="walks@example.org",
        website="https://strollers.example.org",
        created_by=admin_user,
    )
    money = ResourceFactory(
        name='Money advice "drop-in"',
        organisation="Citizens Advice Govan",
        categories=["Money advice"],
        area="Govan",
        postcode="",
        phone="",
        created_by=admin_user,
    )
    SimdPostcode.objects.create(
        postcode="G21 1AA", data_zone="S01010001", rank=120, vigintile=1, decile=1, quintile=1
    )
    morven = Participant.objects.create(
        ref="P2001",
        practice=calder,
        clp=kim,
        chi=CHI_MORVEN,
        first_name="Morven",
        last_name="O'Test",
        date_of_birth=date(1961, 2, 24),
        sex="female",
        postcode="G21 1AA",
        simd_data_zone="S01010001",
        simd_decile=1,
        simd_quintile=1,
        referred_on=date(2024, 1, 15),
        referred_by="gp",
    )
    ryan = Participant.objects.create(
        ref="P999",
        practice=mill,
        clp=gone,
        chi=CHI_RYAN,
        first_name="Ryan",
        last_name="Sample, Jr",
        date_of_birth=date(1990, 4, 15),
        sex="male",
        postcode="",
        referred_on=date(2019, 2, 1),
        referred_by="self",
        status="closed",
        closed_on=date(2019, 12, 20),
        discharge_reason="moved",
    )
    for need in Need.objects.filter(name__in=["Money and debt", "Housing"]):
        ParticipantNeed.objects.create(
            participant=morven, need=need, identified_on=date(2024, 1, 15), recorded_by=kim
        )
    for day, mode, minutes, attended, who, person in [
        (date(2024, 1, 20), "practice", 30, True, kim, morven),
        (date(2024, 1, 20), "practice", 30, True, kim, morven),  # logged twice: both kept
        (date(2024, 2, 3), "telephone", 0, False, kim, morven),
        (date(2019, 3, 1), "home", 45, True, gone, ryan),
        (date(2019, 4, 1), "video", 20, True, gone, ryan),
    ]:
        Consultation.objects.create(
            participant=person,
            date=day,
            mode=mode,
            duration_minutes=minutes,
            attended=attended,
            clp=who,
        )
    for person, resource, day, status, appropriate in [
        (morven, walk, date(2024, 2, 3), "referred", True),
        (morven, money, date(2024, 2, 3), "declined", None),
        (morven, money, date(2024, 2, 3), "engaged", False),
        (ryan, walk, date(2019, 3, 1), "closed", None),
    ]:
        Referral.objects.create(
            participant=person,
            resource=resource,
            clp=person.clp,
            date=day,
            status=status,
            status_on=day,
            feedback_appropriate=appropriate,
        )
    for person, timepoint, day, items, exercise in [
        (morven, "baseline", date(2024, 1, 20), [2, 1, 3, 2, 2, 1, 3, 1, 2, 2, 1, 0, 2, 1], 2),
        (
            morven,
            "follow_up",
            date(2024, 10, 21),
            [1, 1, 1, 0, None, 1, 1, 0, 1, 1, 0, 0, 1, 0],
            None,
        ),
        (ryan, "baseline", date(2019, 3, 1), [3] * 14, 0),
    ]:
        # Morven's baseline also has WEMWBS, EQ-5D-5L and ONS4, so every column is filled;
        # the other assessments leave them blank, as a programme that does not use them does.
        more = (
            {
                **{f"wemwbs_{n}": 1 + n % 5 for n in range(1, 15)},
                "eq5d_mobility": 2,
                "eq5d_self_care": 1,
                "eq5d_usual_activities": 3,
                "eq5d_pain_discomfort": 4,
                "eq5d_anxiety_depression": 5,
                "eq5d_vas": 55,
                "ons_life_satisfaction": 6,
                "ons_worthwhile": 7,
                "ons_happiness": 3,
                "ons_anxiety": 8,
            }
            if (person, timepoint) == (morven, "baseline")
            else {}
        )
        assessment = Assessment(
            participant=person,
            timepoint=timepoint,
            date=day,
            recorded_by=person.clp,
            exercise_days=exercise,
            **{f"hads_{n}": value for n, value in enumerate(items, start=1)},
            **more,
        )
        apply_scores(assessment)
        assessment.save()
    for practice, year, wellbeing, give_up in [
        (calder, 2024, True, False),
        (calder, 2024, True, False),
        (calder, 2024, False, True),
        (mill, 2022, False, False),
    ]:
        StaffSurveyResponse.objects.create(
            practice=practice, year=year, wellbeing_activities=wellbeing, give_up_within_5y=give_up
        )
    return {"calder": calder, "mill": mill, "kim": kim, "morven": morven, "ryan": ryan}
