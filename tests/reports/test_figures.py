"""The dashboards' running counts (`reports.PracticeFigure`), kept by database triggers:
they follow every write to the records, move with a participant, fold without changing a
total, are rebuilt from a recount, and feed the dashboards within the user's scope and the
twelve-month window."""

from collections import Counter
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from participants.dates import add_months
from participants.models import (
    Assessment,
    CaseStatus,
    Consultation,
    ConsultationMode,
    FollowUp,
    FollowUpStatus,
    Participant,
)
from participants.services import consultation_log, participant_close
from referrals.models import CommunityResource, Referral, ReferralFigure, ReferralStatus
from reports.dashboards import followup_completion, practice_comparison, practice_dashboard
from reports.figures import (
    monthly_totals,
    practice_figures_compact,
    practice_figures_current,
    practice_figures_differences,
    practice_figures_rebuild,
    practice_totals,
    scope_totals,
    scope_totals_by_month,
)
from reports.models import PracticeFigure
from reports.tasks import compact_practice_figures, repair_practice_figures
from tests.factories import ConsultationFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

PRACTICE = reverse("reports:practice_dashboard")
SINCE = date(2024, 7, 1)  # the window of the mixed workload's totals


# Records, with explicit dates


def _resource(name: str, by) -> CommunityResource:
    return CommunityResource.objects.create(
        organisation=f"{name} Trust",
        name=name,
        description="A service",
        area="North",
        how_to_refer="Phone",
        created_by=by,
    )


def _refer(participant, resource, on: date, status: str) -> Referral:
    return Referral.objects.create(
        participant=participant,
        resource=resource,
        clp=participant.clp,
        date=on,
        status=status,
        status_on=on,
    )


def _follow_up(participant, status: str, baseline_on: date = date(2025, 1, 10)) -> FollowUp:
    """The participant's follow-up (one each: one assessment per timepoint) of a fresh
    baseline; a completed one has its follow-up assessment."""
    baseline = Assessment.objects.create(
        participant=participant, timepoint="baseline", date=baseline_on, recorded_by=participant.clp
    )
    due_on = add_months(baseline_on, 9)
    assessment = None
    if status == FollowUpStatus.COMPLETED:
        assessment = Assessment.objects.create(
            participant=participant,
            timepoint="follow_up",
            date=due_on,
            recorded_by=participant.clp,
        )
    return FollowUp.objects.create(
        participant=participant,
        baseline=baseline,
        due_on=due_on,
        status=status,
        assessment=assessment,
    )


def _seen(participant, on: date, attended: bool = True) -> Consultation:
    return ConsultationFactory(participant=participant, date=on, attended=attended)


def _totals(practice, since=SINCE) -> dict:
    """A practice's totals, without the figures that came back to nothing."""
    totals = practice_totals(practice_ids=[practice.pk], since=since)[practice.pk]
    return {name: n for name, n in totals.items() if n}


def _all_rows() -> int:
    """The rows of the running counts compacting folds: the dashboards' and the referral
    statistics' (`ReferralFigure`)."""
    return PracticeFigure.objects.count() + ReferralFigure.objects.count()


def _figures_of(practice, figures: list[str]) -> dict:
    """Only the named figures of a practice's totals, missing ones as 0."""
    totals = _totals(practice)
    return {name: totals.get(name, 0) for name in figures}


# 1. Every write path through the ORM


def test_it_keeps_the_counts_right_through_a_mixed_workload(
    practice_a, practice_b, clp_a, clp_b, participant_a, participant_b
):
    r1, r2, r3 = (_resource(name, clp_a) for name in ("Walk", "Money", "Food"))
    p2 = ParticipantFactory(practice=practice_a, clp=clp_a)
    p3 = ParticipantFactory(practice=practice_a, clp=clp_a)
    p5 = ParticipantFactory(practice=practice_b, clp=clp_b)

    _seen(p2, date(2025, 3, 10))
    _seen(p2, date(2025, 3, 20), attended=False)
    _seen(p3, date(2023, 1, 5))  # long before the window
    moved = _seen(p3, date(2025, 4, 2))
    gone = _seen(p2, date(2025, 4, 10))
    _seen(participant_b, date(2025, 3, 11))
    switched = _seen(p5, date(2025, 3, 12))  # recorded against the wrong person

    engaged_later = _refer(p2, r1, date(2025, 3, 10), ReferralStatus.REFERRED)
    attended_later = _refer(p2, r2, date(2025, 3, 12), ReferralStatus.SUGGESTED)
    closed_later = _refer(p3, r1, date(2025, 4, 1), ReferralStatus.ENGAGED)
    _refer(p3, r2, date(2023, 6, 1), ReferralStatus.ATTENDED)  # long before the window
    declined = _refer(p2, r3, date(2025, 4, 20), ReferralStatus.DECLINED)
    _refer(participant_b, r1, date(2025, 3, 15), ReferralStatus.ENGAGED)
    misdated = _refer(p3, r3, date(2025, 4, 25), ReferralStatus.SUGGESTED)

    _follow_up(p2, FollowUpStatus.SCHEDULED)
    _follow_up(p3, FollowUpStatus.DUE)
    _follow_up(participant_a, FollowUpStatus.COMPLETED, baseline_on=date(2024, 11, 1))
    _follow_up(participant_b, FollowUpStatus.MISSED)
    _follow_up(p5, FollowUpStatus.DECLINED)

    # Someone seen, referred and followed up, then deleted with all of it.
    p6 = ParticipantFactory(practice=practice_a, clp=clp_a)
    _seen(p6, date(2025, 4, 11))
    _refer(p6, r1, date(2025, 4, 12), ReferralStatus.ENGAGED)
    _follow_up(p6, FollowUpStatus.COMPLETED)
    assert practice_figures_differences() == []

    moved.date, moved.attended, moved.duration_minutes = date(2025, 5, 5), False, 0
    moved.save()
    switched.participant = p2
    switched.save()
    engaged_later.status = ReferralStatus.ENGAGED
    engaged_later.save()
    Referral.objects.filter(pk=attended_later.pk).update(status=ReferralStatus.ATTENDED)
    Referral.objects.filter(pk=closed_later.pk).update(status=ReferralStatus.CLOSED)
    Referral.objects.filter(pk=misdated.pk).update(date=SINCE - timedelta(days=1))
    FollowUp.objects.filter(participant=p2).update(status=FollowUpStatus.DUE)
    FollowUp.objects.filter(participant=p3, status=FollowUpStatus.DUE).update(
        status=FollowUpStatus.OVERDUE
    )
    p3.status, p3.closed_on, p3.discharge_reason = CaseStatus.CLOSED, date(2025, 6, 1), "goals_met"
    p3.save()
    gone.delete()
    declined.delete()
    p6.delete()
    Consultation.objects.bulk_create(
        [
            Consultation(
                participant=p,
                clp=p.clp,
                date=on,
                mode=ConsultationMode.PRACTICE,
                duration_minutes=30 if attended else 0,
                attended=attended,
            )
            for p, on, attended in [
                (p3, date(2025, 5, 1), True),
                (p3, date(2025, 5, 31), True),
                (p5, date(2025, 5, 2), False),
            ]
        ]
    )

    assert practice_figures_differences() == []
    assert _totals(practice_a) == {
        "cases_open": 2,  # participant_a and p2
        "cases_closed": 1,  # p3
        "consultations_attended": 4,  # p2's two in March, p3's two added in bulk
        "consultations_dna": 2,  # p2 in March, p3's moved to May
        "referrals_made": 3,  # and one moved to the day before the window
        "referrals_engaged": 2,  # engaged by save(), attended by update(); one closed
        "follow_ups_due": 1,
        "follow_ups_overdue": 1,
        "follow_ups_completed": 1,
    }
    assert _totals(practice_b) == {
        "cases_open": 2,
        "consultations_attended": 1,
        "consultations_dna": 1,
        "referrals_made": 1,
        "referrals_engaged": 1,
        "follow_ups_missed": 1,
        "follow_ups_declined": 1,
    }
    # Without `since`: the all-time figures only.
    assert _totals(practice_a, since=None) == {
        "cases_open": 2,
        "cases_closed": 1,
        "follow_ups_due": 1,
        "follow_ups_overdue": 1,
        "follow_ups_completed": 1,
    }
    # From 2023 on: participant_a's in February 2024 and p3's in January 2023 as well.
    assert _totals(practice_a, since=date(2023, 1, 1))["consultations_attended"] == 6
    assert _totals(practice_a, since=SINCE - timedelta(days=1))["referrals_made"] == 4
    assert monthly_totals(
        practice_ids=None,
        since=date(2025, 5, 1),
        figures=["consultations_attended", "consultations_dna"],
    ) == {date(2025, 5, 1): {"consultations_attended": 2, "consultations_dna": 2}}


@pytest.mark.parametrize("scope", ["all", "a", "none"])
def test_the_totals_and_the_months_read_together_are_the_ones_read_apart(
    scope, clp_a, practice_a, practice_b, participant_a, participant_b
):
    """`scope_totals_by_month` (one read, for the dashboards) holds to `scope_totals` and
    `monthly_totals`, each read on its own."""
    for participant, on in [(participant_a, date(2025, 3, 3)), (participant_b, date(2025, 5, 9))]:
        _seen(participant, on)
        _seen(participant, on + timedelta(days=40))
    _follow_up(participant_a, FollowUpStatus.OVERDUE)
    ids = {"all": None, "a": [practice_a.pk], "none": []}[scope]
    since = date(2025, 4, 17)

    totals, months = scope_totals_by_month(practice_ids=ids, since=since)

    assert totals == scope_totals(practice_ids=ids, since=since)
    figures = {figure for by_figure in months.values() for figure in by_figure}
    assert months == monthly_totals(practice_ids=ids, since=since, figures=figures)
    assert (scope == "none") == (not totals)


def test_it_keeps_the_counts_right_when_a_case_is_closed_through_the_service(clp_a, practice_a):
    p = ParticipantFactory(practice=practice_a, clp=clp_a, referred_on=date(2025, 1, 1))
    _follow_up(p, FollowUpStatus.DUE)
    other = ParticipantFactory(practice=practice_a, clp=clp_a)
    _follow_up(other, FollowUpStatus.COMPLETED, baseline_on=date(2024, 10, 1))

    participant_close(user=clp_a, participant=p, on=date(2025, 6, 1), reason="moved")

    assert practice_figures_differences() == []
    assert _totals(practice_a, since=None) == {
        "cases_open": 1,
        "cases_closed": 1,
        "follow_ups_not_applicable": 1,  # ruled out by the move away
        "follow_ups_completed": 1,
    }


# 2. A participant who moves takes their figures along


@pytest.mark.parametrize("how", ["save", "update"])
def test_it_moves_a_participants_figures_to_their_new_practice(
    practice_a, practice_b, clp_a, clp_b, participant_a, participant_b, how
):
    resources = [_resource(name, clp_a) for name in ("Walk", "Money")]
    stays = ParticipantFactory(practice=practice_a, clp=clp_a)
    _seen(stays, date(2025, 3, 1))
    _refer(stays, resources[0], date(2025, 3, 2), ReferralStatus.ENGAGED)
    _follow_up(stays, FollowUpStatus.DUE)
    mover = ParticipantFactory(practice=practice_a, clp=clp_a)
    _seen(mover, date(2025, 3, 3))
    _seen(mover, date(2025, 4, 3))
    _seen(mover, date(2025, 4, 4), attended=False)
    _refer(mover, resources[0], date(2025, 3, 5), ReferralStatus.ENGAGED)
    _refer(mover, resources[1], date(2025, 4, 5), ReferralStatus.SUGGESTED)
    _follow_up(mover, FollowUpStatus.COMPLETED, baseline_on=date(2024, 10, 1))
    names = [
        "cases_open",
        "consultations_attended",
        "consultations_dna",
        "referrals_made",
        "referrals_engaged",
        "follow_ups_due",
        "follow_ups_completed",
    ]
    assert _figures_of(practice_a, names) == {
        "cases_open": 3,
        "consultations_attended": 3,
        "consultations_dna": 1,
        "referrals_made": 3,
        "referrals_engaged": 2,
        "follow_ups_due": 1,
        "follow_ups_completed": 1,
    }
    assert _figures_of(practice_b, names)["cases_open"] == 1

    if how == "save":
        mover.practice, mover.clp = practice_b, clp_b
        mover.save()
    else:
        Participant.objects.filter(pk=mover.pk).update(practice=practice_b, clp=clp_b)

    assert practice_figures_differences() == []
    assert _figures_of(practice_a, names) == {
        "cases_open": 2,
        "consultations_attended": 1,
        "consultations_dna": 0,
        "referrals_made": 1,
        "referrals_engaged": 1,
        "follow_ups_due": 1,
        "follow_ups_completed": 0,
    }
    assert _figures_of(practice_b, names) == {
        "cases_open": 2,
        "consultations_attended": 2,
        "consultations_dna": 1,
        "referrals_made": 2,
        "referrals_engaged": 1,
        "follow_ups_due": 0,
        "follow_ups_completed": 1,
    }
    assert monthly_totals(
        practice_ids=[practice_b.pk], since=date(2025, 4, 1), figures=["consultations_attended"]
    ) == {date(2025, 4, 1): {"consultations_attended": 1}}


def test_it_moves_the_figures_back_when_the_participant_returns(
    practice_a, practice_b, clp_a, participant_a
):
    _seen(participant_a, date(2025, 3, 3))
    _follow_up(participant_a, FollowUpStatus.OVERDUE)
    before = practice_figures_current()

    participant_a.practice = practice_b
    participant_a.save()
    participant_a.practice = practice_a
    participant_a.save()

    assert practice_figures_differences() == []
    assert practice_figures_current() == before


# 3. Only a change to a counted column writes a row


def test_it_adds_no_rows_when_a_save_changes_nothing_counted(clp_a, participant_a):
    resource = _resource("Walk", clp_a)
    referral = _refer(participant_a, resource, date(2025, 3, 5), ReferralStatus.REFERRED)
    follow_up = _follow_up(participant_a, FollowUpStatus.DUE)
    consultation = participant_a.consultations.get()
    rows = PracticeFigure.objects.count()

    participant_a.phone = "0141 000 0000"
    participant_a.save()
    participant_a.save()
    consultation.notes = "Something else entirely"
    consultation.save()
    referral.note = "Please call in the morning"
    referral.save()
    follow_up.reason = "Rang twice"
    follow_up.save()
    Referral.objects.filter(pk=referral.pk).update(status=ReferralStatus.REFERRED)
    FollowUp.objects.filter(pk=follow_up.pk).update(status=FollowUpStatus.DUE)
    Consultation.objects.filter(pk=consultation.pk).update(duration_minutes=45)

    assert PracticeFigure.objects.count() == rows
    assert practice_figures_differences() == []


def test_it_adds_rows_when_a_counted_column_changes(participant_a):
    consultation = participant_a.consultations.get()
    rows = PracticeFigure.objects.count()

    consultation.attended, consultation.duration_minutes = False, 0
    consultation.save()

    assert PracticeFigure.objects.count() == rows + 2  # -1 attended, +1 did not attend
    assert practice_figures_differences() == []


# 4. Folding rows


def _rows_per_group() -> Counter:
    return Counter(PracticeFigure.objects.values_list("practice_id", "month", "figure"))


def _busy_history(practice, clp, people: int = 3):
    resource = _resource(f"Walk {practice.code}", clp)
    for i in range(people):
        p = ParticipantFactory(practice=practice, clp=clp)
        for day in (1, 2, 3):
            c = _seen(p, date(2025, 3, day + i))
            c.attended = not c.attended
            c.duration_minutes = 30 if c.attended else 0
            c.save()
        referral = _refer(p, resource, date(2025, 4, 1 + i), ReferralStatus.REFERRED)
        referral.status = ReferralStatus.ENGAGED
        referral.save()
        follow_up = _follow_up(p, FollowUpStatus.SCHEDULED)
        FollowUp.objects.filter(pk=follow_up.pk).update(status=FollowUpStatus.DUE)
        FollowUp.objects.filter(pk=follow_up.pk).update(status=FollowUpStatus.OVERDUE)


def test_compacting_folds_the_rows_without_changing_a_total(
    practice_a, practice_b, clp_a, clp_b, participant_a, participant_b
):
    _busy_history(practice_a, clp_a)
    _busy_history(practice_b, clp_b)
    participant_a.consultations.get().delete()
    before = practice_figures_current()
    rows = _all_rows()
    assert max(_rows_per_group().values()) > 1

    removed = practice_figures_compact()

    assert removed > 0
    assert _all_rows() == rows - removed
    assert max(_rows_per_group().values()) == 1
    assert not PracticeFigure.objects.filter(count=0).exists()  # folded to nothing: gone
    assert practice_figures_current() == before
    assert practice_figures_differences() == []
    assert practice_figures_compact() == 0
    assert practice_figures_current() == before


def test_the_counts_stay_right_after_compacting_as_records_keep_changing(
    practice_a, clp_a, participant_a
):
    _busy_history(practice_a, clp_a, people=2)
    practice_figures_compact()

    for consultation in Consultation.objects.all():
        consultation.delete()
    Referral.objects.update(status=ReferralStatus.CLOSED)
    participant_a.status, participant_a.closed_on = CaseStatus.CLOSED, date(2025, 6, 1)
    participant_a.discharge_reason = "goals_met"
    participant_a.save()

    assert practice_figures_differences() == []
    assert _figures_of(practice_a, ["consultations_attended", "referrals_engaged"]) == {
        "consultations_attended": 0,
        "referrals_engaged": 0,
    }
    practice_figures_compact()
    assert practice_figures_differences() == []


def test_the_compact_command_folds_the_rows(practice_a, clp_a):
    _busy_history(practice_a, clp_a, people=1)
    before = practice_figures_current()
    out = StringIO()

    call_command("practice_figures", "--compact", stdout=out)

    assert "rows fewer" in out.getvalue() and "Folded" in out.getvalue()
    assert practice_figures_current() == before
    assert max(_rows_per_group().values()) == 1


# 5. Checking and rebuilding


@pytest.mark.parametrize("tamper", ["delete", "alter", "add"])
def test_rebuilding_repairs_tampered_counts(
    practice_a, practice_b, clp_a, clp_b, participant_a, participant_b, tamper
):
    _busy_history(practice_a, clp_a, people=2)
    before = practice_figures_current()
    if tamper == "delete":
        PracticeFigure.objects.filter(figure="consultations_attended").delete()
    elif tamper == "alter":
        PracticeFigure.objects.filter(figure="referrals_engaged").update(count=7)
    else:
        PracticeFigure.objects.create(practice=practice_b, month=None, figure="cases_open", count=4)

    assert practice_figures_differences() != []
    err = StringIO()
    with pytest.raises(CommandError, match="differ from the records"):
        call_command("practice_figures", "--check", stdout=StringIO(), stderr=err)
    assert "held" in err.getvalue() and "counted" in err.getvalue()

    written = practice_figures_rebuild()

    assert written == _all_rows()  # the referral statistics' counts are rebuilt too
    assert PracticeFigure.objects.count() == len(before)
    assert practice_figures_differences() == []
    assert practice_figures_current() == before
    out = StringIO()
    call_command("practice_figures", "--check", stdout=out)
    assert "agree with the records" in out.getvalue()


def test_the_rebuild_command_repairs_the_counts(practice_a, clp_a, participant_a):
    _busy_history(practice_a, clp_a, people=1)
    PracticeFigure.objects.filter(figure__startswith="follow_ups").delete()
    out = StringIO()

    call_command("practice_figures", "--rebuild", stdout=out)

    assert "Rebuilt" in out.getvalue()
    assert practice_figures_differences() == []
    assert _totals(practice_a)["follow_ups_overdue"] == 1


def test_the_triggers_keep_counting_after_a_rebuild(practice_a, clp_a, participant_a):
    PracticeFigure.objects.all().delete()
    practice_figures_rebuild()

    _seen(participant_a, date(2025, 3, 3), attended=False)
    participant_a.consultations.filter(date=date(2024, 2, 1)).delete()

    assert practice_figures_differences() == []
    totals = _totals(practice_a, since=date(2024, 1, 1))
    assert (totals.get("consultations_dna"), totals.get("consultations_attended")) == (1, None)


# 6. Scope: a practice manager sees their own practice only


def _recent_work(practice, clp, *, attended: int, dna: int, engaged: int, suggested: int):
    """Records of the last few weeks at a practice: consultations, referrals (engaged and
    only suggested), one follow-up due and one overdue; a participant for each referral
    and one for each follow-up."""
    today = timezone.localdate()
    resource = _resource(f"Walk {practice.code}", clp)
    for i in range(engaged + suggested):
        p = ParticipantFactory(practice=practice, clp=clp)
        status = ReferralStatus.ENGAGED if i < engaged else ReferralStatus.SUGGESTED
        _refer(p, resource, today - timedelta(days=3), status)
    p = ParticipantFactory(practice=practice, clp=clp)
    for _ in range(attended):
        _seen(p, today - timedelta(days=2))
    for _ in range(dna):
        _seen(p, today - timedelta(days=2), attended=False)
    _follow_up(p, FollowUpStatus.DUE)
    _follow_up(ParticipantFactory(practice=practice, clp=clp), FollowUpStatus.OVERDUE)


def test_a_practice_manager_sees_none_of_another_practices_figures(
    as_user, manager_a, practice_a, practice_b, clp_a, clp_b
):
    _recent_work(practice_a, clp_a, attended=2, dna=1, engaged=1, suggested=2)
    _recent_work(practice_b, clp_b, attended=5, dna=4, engaged=3, suggested=0)
    _follow_up(ParticipantFactory(practice=practice_b, clp=clp_b), FollowUpStatus.COMPLETED)

    data = practice_dashboard(user=manager_a)

    assert data["referrals"] == {"made": 3, "engaged": 1, "engaged_pct": 33.3}
    assert data["follow_ups"] == {
        "came_due": 2,
        "completed": 0,
        "overdue": 1,
        "due": 1,
        "rate": 0.0,
    }
    assert sum(row["attended"] for row in data["by_month"]) == 2
    assert sum(row["dna"] for row in data["by_month"]) == 1
    assert followup_completion(user=manager_a)["came_due"] == 2
    assert [row["practice__name"] for row in data["by_clp"]] == [practice_a.name]

    response = as_user(manager_a).get(PRACTICE)
    assert response.status_code == 200
    page = response.context["data"]
    assert page["referrals"] == data["referrals"]
    assert page["follow_ups"] == data["follow_ups"]
    assert page["by_month"] == data["by_month"]
    body = response.content.decode()
    assert "1 of 3 since" in body
    assert "Ben B" not in body and practice_b.name not in body


def test_the_programme_lead_compares_both_practices_with_their_own_numbers(
    lead, practice_a, practice_b, clp_a, clp_b
):
    _recent_work(practice_a, clp_a, attended=2, dna=1, engaged=1, suggested=2)
    _recent_work(practice_b, clp_b, attended=5, dna=4, engaged=3, suggested=0)
    _follow_up(ParticipantFactory(practice=practice_b, clp=clp_b), FollowUpStatus.COMPLETED)

    rows = {p.code: p for p in practice_comparison(user=lead)}

    assert set(rows) == {practice_a.code, practice_b.code}
    a, b = rows[practice_a.code], rows[practice_b.code]
    assert (a.open_cases, a.attended, a.dna, a.referrals_made, a.referrals_engaged) == (
        5,
        2,
        1,
        3,
        1,
    )
    assert (a.follow_ups_due, a.follow_ups_completed, a.completion_pct) == (2, 0, 0.0)
    assert (b.open_cases, b.attended, b.dna, b.referrals_made, b.referrals_engaged) == (
        6,
        5,
        4,
        3,
        3,
    )
    assert (b.follow_ups_due, b.follow_ups_completed, b.completion_pct) == (3, 1, 33.3)
    assert (a.engaged_pct, b.engaged_pct) == (33.3, 100.0)


def test_a_practice_manager_compares_only_their_own_practice(
    manager_a, practice_a, practice_b, clp_a, clp_b
):
    _recent_work(practice_a, clp_a, attended=2, dna=1, engaged=1, suggested=0)
    _recent_work(practice_b, clp_b, attended=5, dna=4, engaged=3, suggested=0)

    rows = practice_comparison(user=manager_a)

    assert [(p.code, p.attended, p.referrals_made) for p in rows] == [(practice_a.code, 2, 1)]


# 7. The window: the last twelve calendar months, this one included


@pytest.mark.parametrize(
    ("today", "since"),
    [
        (date(2025, 6, 15), date(2024, 7, 1)),
        (date(2025, 12, 31), date(2025, 1, 1)),
        (date(2025, 1, 1), date(2024, 2, 1)),
        (date(2024, 2, 29), date(2023, 3, 1)),
    ],
)
def test_the_window_starts_on_the_first_day_of_the_month_eleven_months_back(
    manager_a, lead, practice_a, clp_a, today, since
):
    resource = _resource("Walk", clp_a)
    inside, outside = (ParticipantFactory(practice=practice_a, clp=clp_a) for _ in range(2))
    _seen(inside, since)
    _seen(outside, since - timedelta(days=1))
    _seen(outside, since - timedelta(days=1), attended=False)
    _refer(inside, resource, since, ReferralStatus.ENGAGED)
    _refer(outside, resource, since - timedelta(days=1), ReferralStatus.ENGAGED)
    _seen(inside, today, attended=False)  # today's month is in the window too

    data = practice_dashboard(user=manager_a, today=today)

    assert data["since"] == since
    assert [row["month"] for row in data["by_month"]] == [add_months(since, i) for i in range(12)]
    assert data["by_month"][0] == {"month": since, "attended": 1, "dna": 0}
    assert data["by_month"][-1]["dna"] == 1
    assert sum(row["attended"] for row in data["by_month"]) == 1
    assert sum(row["dna"] for row in data["by_month"]) == 1
    assert data["referrals"] == {"made": 1, "engaged": 1, "engaged_pct": 100.0}
    (row,) = practice_comparison(user=lead, today=today)
    assert (row.attended, row.dna, row.referrals_made) == (1, 1, 1)


# 8. Follow-up completion: of those that came due


def test_the_follow_up_completion_leaves_out_scheduled_and_not_applicable_ones(
    manager_a, lead, practice_a, clp_a
):
    counts = {
        FollowUpStatus.SCHEDULED: 3,
        FollowUpStatus.DUE: 1,
        FollowUpStatus.OVERDUE: 2,
        FollowUpStatus.COMPLETED: 3,
        FollowUpStatus.MISSED: 1,
        FollowUpStatus.DECLINED: 1,
        FollowUpStatus.NOT_APPLICABLE: 4,
    }
    day = date(2024, 1, 1)
    for status, n in counts.items():
        for _ in range(n):
            p = ParticipantFactory(practice=practice_a, clp=clp_a)
            _follow_up(p, status, baseline_on=day)
            day += timedelta(days=1)

    expected = {"came_due": 8, "completed": 3, "overdue": 2, "due": 1, "rate": 37.5}
    assert practice_dashboard(user=manager_a)["follow_ups"] == expected
    assert followup_completion(user=manager_a) == expected
    (row,) = practice_comparison(user=lead)
    assert (row.follow_ups_due, row.follow_ups_completed, row.completion_pct) == (8, 3, 37.5)


def test_the_follow_up_completion_is_empty_before_any_came_due(manager_a, practice_a, clp_a):
    _follow_up(ParticipantFactory(practice=practice_a, clp=clp_a), FollowUpStatus.SCHEDULED)

    assert practice_dashboard(user=manager_a)["follow_ups"]["rate"] is None


# 9. The Celery task


def test_the_compacting_task_folds_the_rows(practice_a, clp_a, participant_a):
    _busy_history(practice_a, clp_a, people=2)
    before = practice_figures_current()
    rows = _all_rows()

    removed = compact_practice_figures.delay().get(timeout=10)

    assert removed > 0
    assert _all_rows() == rows - removed
    assert practice_figures_current() == before
    assert compact_practice_figures.delay().get(timeout=10) == 0


def test_the_nightly_task_repairs_drifted_counts_and_logs_where(
    practice_a, clp_a, participant_a, caplog
):
    _busy_history(practice_a, clp_a, people=1)
    before = practice_figures_current()
    PracticeFigure.objects.filter(figure="consultations_attended").update(count=99)

    with caplog.at_level("WARNING", logger="reports.figures"):
        differed = repair_practice_figures()

    assert differed > 0
    assert practice_figures_current() == before
    assert "rebuilt" in caplog.text and "consultations_attended" in caplog.text
    # The log names practices and figures only, never a person.
    assert participant_a.last_name not in caplog.text and participant_a.chi not in caplog.text


def test_the_nightly_task_leaves_agreeing_counts_alone(practice_a, clp_a, caplog):
    _busy_history(practice_a, clp_a, people=1)
    rows = list(PracticeFigure.objects.values_list("pk", flat=True))

    with caplog.at_level("WARNING", logger="reports.figures"):
        assert repair_practice_figures() == 0

    assert list(PracticeFigure.objects.values_list("pk", flat=True)) == rows
    assert caplog.text == ""


def test_a_counted_write_locks_the_participant_row_a_move_also_takes(clp_a, participant_a):
    """Logging a consultation takes the participant's row lock before its insert fires the
    counting trigger, so a move of the participant to another practice cannot interleave."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks: it runs one writer at a time")
    consultation = Consultation(
        participant=participant_a,
        clp=clp_a,
        date=date(2024, 3, 1),
        mode="practice",
        duration_minutes=20,
    )
    with CaptureQueriesContext(connection) as queries:
        consultation_log(user=clp_a, consultation=consultation)
    sql = [q["sql"] for q in queries.captured_queries]
    lock = [i for i, s in enumerate(sql) if "FOR UPDATE" in s and "participants_participant" in s]
    insert = [
        i for i, s in enumerate(sql) if s.startswith('INSERT INTO "participants_consultation"')
    ]
    assert lock and insert and lock[0] < insert[0]
