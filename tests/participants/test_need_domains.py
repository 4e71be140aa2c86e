"""A participant's first day with a need in each domain (`Participant.first_*_need_on`), kept
by the database from their needs (migration 0020): set when a need is recorded, worked out
again when one is redated, moved to someone else, changed or deleted, and when a need on the
programme's list changes domain. The annual statistics count the domains the supported's
needs span from these days."""

from datetime import date

import pytest
from django.db.models import Min, Q

from participants.models import Need, NeedDomain, Participant, ParticipantNeed
from participants.models.needs import DOMAIN_DATES

pytestmark = pytest.mark.django_db


def need_in(domain: str, nth: int = 0) -> Need:
    return Need.objects.filter(domain=domain).order_by("pk")[nth]


def firsts(participant: Participant) -> dict[str, date | None]:
    participant.refresh_from_db()
    return {domain: getattr(participant, column) for domain, column in DOMAIN_DATES.items()}


def expected(participant: Participant) -> dict[str, date | None]:
    """The days worked out from the needs themselves."""
    days = dict(
        ParticipantNeed.objects.filter(participant=participant)
        .values_list("need__domain")
        .annotate(first=Min("identified_on"))
    )
    return {domain: days.get(domain) for domain in DOMAIN_DATES}


def need_domain_differences() -> list[str]:
    """The participants whose kept days differ from those of their needs (a test's check)."""
    firsts_by_need = {
        domain: Min("needs__identified_on", filter=Q(needs__need__domain=domain))
        for domain in DOMAIN_DATES
    }
    rows = Participant.objects.annotate(**{f"n_{d}": m for d, m in firsts_by_need.items()})
    return [
        participant.ref
        for participant in rows
        if any(
            getattr(participant, column) != getattr(participant, f"n_{domain}")
            for domain, column in DOMAIN_DATES.items()
        )
    ]


def record(participant, need, on, user):
    return ParticipantNeed.objects.create(
        participant=participant, need=need, identified_on=on, recorded_by=user
    )


def test_every_domain_has_its_column():
    assert set(DOMAIN_DATES) == set(NeedDomain.values)
    columns = {field.name for field in Participant._meta.concrete_fields}
    assert set(DOMAIN_DATES.values()) <= columns


def test_a_need_recorded_sets_its_domains_first_day_and_the_earliest_wins(participant_a, clp_a):
    assert firsts(participant_a) == {"physical": None, "mental": None, "social": None}

    record(participant_a, need_in(NeedDomain.MENTAL), date(2025, 5, 1), clp_a)
    record(participant_a, need_in(NeedDomain.MENTAL, 1), date(2025, 3, 1), clp_a)
    record(participant_a, need_in(NeedDomain.SOCIAL), date(2025, 6, 1), clp_a)

    assert firsts(participant_a) == {
        "physical": None,
        "mental": date(2025, 3, 1),
        "social": date(2025, 6, 1),
    }


def test_redating_changing_and_deleting_a_need_work_the_days_out_again(participant_a, clp_a):
    early = record(participant_a, need_in(NeedDomain.PHYSICAL), date(2025, 1, 10), clp_a)
    record(participant_a, need_in(NeedDomain.PHYSICAL, 1), date(2025, 4, 1), clp_a)

    early.identified_on = date(2025, 2, 1)
    early.save()
    assert firsts(participant_a)["physical"] == date(2025, 2, 1)

    early.need = need_in(NeedDomain.SOCIAL)
    early.save()
    assert firsts(participant_a) == {
        "physical": date(2025, 4, 1),
        "mental": None,
        "social": date(2025, 2, 1),
    }

    early.delete()
    assert firsts(participant_a) == {"physical": date(2025, 4, 1), "mental": None, "social": None}

    ParticipantNeed.objects.filter(participant=participant_a).update(identified_on=date(2024, 1, 2))
    assert firsts(participant_a)["physical"] == date(2024, 1, 2)

    ParticipantNeed.objects.filter(participant=participant_a).delete()
    assert firsts(participant_a) == {"physical": None, "mental": None, "social": None}


def test_a_need_moved_to_someone_else_moves_its_day(participant_a, participant_b, clp_a):
    need = record(participant_a, need_in(NeedDomain.MENTAL), date(2025, 3, 3), clp_a)

    ParticipantNeed.objects.filter(pk=need.pk).update(participant=participant_b)

    assert firsts(participant_a)["mental"] is None
    assert firsts(participant_b)["mental"] == date(2025, 3, 3)


def test_a_need_changing_domain_moves_everyone_who_has_it(participant_a, participant_b, clp_a):
    housing = need_in(NeedDomain.SOCIAL)
    record(participant_a, housing, date(2025, 3, 3), clp_a)
    record(participant_b, housing, date(2025, 7, 7), clp_a)
    record(participant_b, need_in(NeedDomain.PHYSICAL), date(2025, 8, 8), clp_a)

    housing.domain = NeedDomain.PHYSICAL
    housing.save()

    assert firsts(participant_a) == {"physical": date(2025, 3, 3), "mental": None, "social": None}
    assert firsts(participant_b) == {"physical": date(2025, 7, 7), "mental": None, "social": None}
    for participant in (participant_a, participant_b):
        assert firsts(participant) == expected(participant)


def test_what_the_application_writes_there_does_not_stick(participant_a, clp_a):
    """The columns are the database's: not in any form, and replaced by the next change."""
    record(participant_a, need_in(NeedDomain.SOCIAL), date(2025, 3, 3), clp_a)
    assert not any(Participant._meta.get_field(column).editable for column in DOMAIN_DATES.values())
    Participant.objects.filter(pk=participant_a.pk).update(first_mental_need_on=date(2020, 1, 1))
    record(participant_a, need_in(NeedDomain.SOCIAL, 1), date(2025, 9, 9), clp_a)
    assert firsts(participant_a) == expected(participant_a)


def test_a_participant_saved_from_before_a_need_keeps_the_needs_days(participant_a, clp_a):
    """A participant read before their need was recorded, saved after it (every column, as
    Django saves), does not put the old days back."""
    stale = Participant.objects.get(pk=participant_a.pk)
    record(participant_a, need_in(NeedDomain.MENTAL), date(2025, 5, 5), clp_a)

    stale.phone = "0141 000 0000"
    stale.save()

    assert firsts(participant_a)["mental"] == date(2025, 5, 5)
