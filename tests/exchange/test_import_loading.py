"""What a valid import writes, and that it writes all of it or nothing, and nothing twice."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from audit.models import Action, AuditEvent
from exchange import reading
from exchange.importer import programme_check
from exchange.importer.planning import Planner
from participants.models import (
    Assessment,
    Consultation,
    FollowUp,
    FollowUpStatus,
    Participant,
    ParticipantNeed,
    SimdPostcode,
    StatusChange,
)
from participants.services import participant_next_ref
from practices.models import Attachment, Practice, StaffSurveyResponse
from referrals.models import CommunityResource, Referral, ReferralStatusChange
from tests.exchange.conftest import (
    CHI_MORVEN,
    as_bytes,
    load,
    replace_line,
    set_cell,
    snapshot,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(db):
    return UserFactory(username="lead", is_programme_lead=True)


@pytest.fixture
def simd(db):
    return SimdPostcode.objects.create(
        postcode="G21 1AA", data_zone="S01010001", rank=120, vigintile=1, decile=1, quintile=1
    )


def test_an_import_loads_every_file(base_files, lead, simd):
    result = load(base_files, user=lead)

    assert result.applied and result.ok
    assert {name: (c.new, c.changed, c.unchanged) for name, c in result.counts.items()} == {
        "practices.csv": (2, 0, 0),
        "staff.csv": (3, 0, 0),
        "resources.csv": (2, 0, 0),
        "participants.csv": (2, 0, 0),
        "consultations.csv": (2, 0, 0),
        "referrals.csv": (1, 0, 0),
        "assessments.csv": (1, 0, 0),
        "staff_survey.csv": (2, 0, 0),
    }
    mill = Practice.objects.get(code="30002")
    assert (mill.health_board, mill.deep_end, mill.list_size, mill.left_on) == (
        "lothian",
        False,
        None,
        date(2023, 3, 31),
    )
    kim = User.objects.get(username="kim.clp")
    assert sorted(
        Attachment.objects.filter(user=kim).values_list("practice__code", "role", "started_on")
    ) == [("30001", "clp", date(2017, 4, 1)), ("30002", "clp", date(2017, 4, 1))]
    assert User.objects.get(username="lee.lead").is_programme_lead
    walk = CommunityResource.objects.get(name="Tuesday walking group")
    assert sorted(walk.categories.values_list("name", flat=True)) == [
        "Physical activity",
        "Social groups",
    ]
    assert walk.created_by == lead and walk.active
    morven = Participant.objects.get(ref="P2001")
    assert (morven.chi, morven.postcode, morven.practice.code, morven.clp) == (
        CHI_MORVEN,
        "G21 1AA",
        "30001",
        kim,
    )
    assert sorted(
        ParticipantNeed.objects.filter(participant=morven).values_list("need__name", flat=True)
    ) == [
        "Housing",
        "Money and debt",
    ]
    consultations = Consultation.objects.filter(participant=morven).order_by("date")
    assert [(c.mode, c.duration_minutes, c.attended) for c in consultations] == [
        ("practice", 30, True),
        ("telephone", 0, False),
    ]
    referral = Referral.objects.get()
    assert (referral.status, referral.referred_on, referral.clp, referral.feedback_appropriate) == (
        "referred",
        date(2024, 2, 3),
        kim,
        True,
    )
    assert referral.feedback_at is not None
    assert ReferralStatusChange.objects.get(referral=referral).status == "referred"
    assert StaffSurveyResponse.objects.count() == 2


def test_imported_people_have_no_usable_password(base_files, lead):
    load(base_files, user=lead)
    for user in User.objects.filter(username__in=["kim.clp", "pat.pm", "lee.lead"]):
        assert not user.has_usable_password()


def test_an_existing_persons_password_is_left_alone(base_files, lead):
    kim = UserFactory(username="kim.clp", full_name="Kim Clark", email="kim.clp@example.org")
    password = kim.password
    load(base_files, user=lead)
    kim.refresh_from_db()
    assert kim.password == password


def test_deprivation_comes_from_the_lookup_and_an_unknown_postcode_leaves_it_unknown(
    base_files, lead, simd
):
    files = set_cell(base_files, "participants.csv", 3, "postcode", "EH1 1YZ")
    load(files, user=lead)
    morven, ryan = Participant.objects.order_by("ref")
    assert (morven.simd_data_zone, morven.simd_decile, morven.simd_quintile) == (
        "S01010001",
        1,
        1,
    )
    assert (ryan.postcode, ryan.simd_data_zone, ryan.simd_decile, ryan.simd_quintile) == (
        "EH1 1YZ",
        "",
        None,
        None,
    )


def test_scores_are_computed_from_the_items(base_files, lead):
    load(base_files, user=lead)
    baseline = Assessment.objects.get()
    # Odd items 2+3+2+3+2+1+2, even items 1+2+1+1+2+0+1.
    assert (baseline.hads_anxiety, baseline.hads_depression, baseline.exercise_days) == (15, 8, 2)
    assert baseline.recorded_by.username == "kim.clp"


def test_an_unanswered_item_leaves_its_subscale_unscored(base_files, lead):
    load(set_cell(base_files, "assessments.csv", 2, "hads_3", ""), user=lead)
    baseline = Assessment.objects.get()
    assert (baseline.hads_3, baseline.hads_anxiety, baseline.hads_depression) == (None, None, 8)


def test_a_closed_case_gets_its_status_change(base_files, lead):
    load(base_files, user=lead)
    change = StatusChange.objects.get()
    assert (change.participant.ref, change.status, change.on, change.discharge_reason) == (
        "P2002",
        "closed",
        date(2024, 6, 30),
        "goals_met",
    )


def test_the_reference_counter_never_hands_out_an_imported_ref(base_files, lead):
    load(base_files, user=lead)
    assert participant_next_ref() == "P2003"


def test_the_reference_counter_passes_refs_written_with_leading_zeros(base_files, lead):
    files = set_cell(base_files, "participants.csv", 3, "ref", "P05000")
    load(files, user=lead)
    assert participant_next_ref() == "P5001"


def test_imported_baselines_get_their_follow_ups(base_files, lead):
    load(base_files, user=lead)
    follow_up = FollowUp.objects.get()
    assert follow_up.participant.ref == "P2001"
    assert follow_up.due_on == date(2024, 10, 20)
    # Long past its window by now.
    assert follow_up.status == FollowUpStatus.MISSED


def test_an_imported_follow_up_assessment_completes_the_follow_up(base_files, lead):
    text = (
        base_files["assessments.csv"] + "P2001,2024-10-25,follow_up,1,1,1,1,1,1,1,1,1,1,1,1,1,1,5\n"
    )
    load({**base_files, "assessments.csv": text}, user=lead)
    follow_up = FollowUp.objects.get()
    assert follow_up.status == FollowUpStatus.COMPLETED
    assert follow_up.assessment.timepoint == "follow_up"
    assert follow_up.closed_on == date(2024, 10, 25)
    assert follow_up.closed_by_id == follow_up.assessment.recorded_by_id is not None


def test_nothing_is_written_when_the_only_bad_row_is_the_last_row_of_the_last_file(
    base_files, lead
):
    files = set_cell(base_files, "staff_survey.csv", 3, "year", "1999")
    before = snapshot()

    result = load(files, user=lead)

    assert not result.applied
    assert result.problems == ["staff_survey.csv:3: year: must be a whole number from 2000 to 2100"]
    assert snapshot() == before


def test_nothing_is_written_when_loading_fails_partway(base_files, lead, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("exchange.importer.loading.followups_schedule", broken)
    before = snapshot()
    with pytest.raises(RuntimeError):
        load(base_files, user=lead)
    assert snapshot() == before


def test_a_dry_run_writes_nothing_but_counts_everything(base_files, lead):
    before = snapshot()
    result = load(base_files, user=lead, dry_run=True)
    assert result.ok and not result.applied
    assert result.counts["participants.csv"].new == 2
    assert snapshot() == before


def test_importing_the_same_files_again_changes_nothing(base_files, lead, simd):
    text = (
        base_files["assessments.csv"] + "P2001,2024-10-25,follow_up,1,1,1,1,1,1,1,1,1,1,1,1,1,1,\n"
    )
    files = {**base_files, "assessments.csv": text}
    load(files, user=lead)
    before = snapshot()

    again = load(files, user=lead)

    assert again.applied and again.changes == 0
    assert all(c.new == 0 and c.changed == 0 for c in again.counts.values())
    assert snapshot() == before


def test_a_changed_row_is_counted_changed_and_updated(base_files, lead):
    load(base_files, user=lead)
    morven = Participant.objects.get(ref="P2001")
    files = set_cell(base_files, "participants.csv", 2, "last_name", "Tester")

    result = load(files, user=lead)

    assert (
        result.counts["participants.csv"].changed,
        result.counts["participants.csv"].unchanged,
    ) == (1, 1)
    changed = Participant.objects.get(ref="P2001")
    assert changed.last_name == "Tester"
    assert changed.version == morven.version + 1
    assert changed.updated_at > morven.updated_at
    event = AuditEvent.objects.filter(participant_ref="P2001").order_by("-id").first()
    assert (event.action, event.username, event.detail) == (
        Action.UPDATE,
        "lead",
        "import: details 1",
    )


def test_the_import_is_in_the_audit_trail_per_participant_and_as_a_whole(base_files, lead):
    load(base_files, user=lead)
    created = AuditEvent.objects.filter(action=Action.CREATE, object_type="participant")
    assert sorted(created.values_list("participant_ref", flat=True)) == ["P2001", "P2002"]
    assert created.get(participant_ref="P2001").detail == (
        "import: assessments 1, consultations 2, details 1, referrals 1"
    )
    summary = AuditEvent.objects.get(action=Action.CREATE, object_type="")
    assert summary.user == lead
    assert summary.detail.startswith("programme data import: practices.csv 2 new, 0 changed")
    assert "Morven" not in summary.detail


def test_needs_are_added_never_removed(base_files, lead):
    load(base_files, user=lead)
    files = set_cell(base_files, "participants.csv", 2, "needs", "Stress")
    result = load(files, user=lead)
    assert result.counts["participants.csv"].changed == 1
    assert sorted(
        ParticipantNeed.objects.filter(participant__ref="P2001").values_list(
            "need__name", flat=True
        )
    ) == ["Housing", "Money and debt", "Stress"]


def test_consultations_are_matched_as_a_multiset(base_files, lead):
    same = "P2001,2024-01-20,kim.clp,practice,30,yes"
    text = base_files["consultations.csv"] + same + "\n"
    load({**base_files, "consultations.csv": text}, user=lead)
    assert Consultation.objects.filter(date=date(2024, 1, 20)).count() == 2

    third = load({**base_files, "consultations.csv": text + same + "\n"}, user=lead)

    counts = third.counts["consultations.csv"]
    assert (counts.new, counts.unchanged) == (1, 3)
    assert Consultation.objects.filter(date=date(2024, 1, 20)).count() == 3


def test_consultations_missing_from_the_file_are_kept(base_files, lead):
    load(base_files, user=lead)
    files = replace_line(base_files, "consultations.csv", 3, "")
    load(files, user=lead)
    assert Consultation.objects.count() == 2


def test_a_referral_whose_status_moved_on_gets_the_new_status_and_its_history(base_files, lead):
    load(base_files, user=lead)
    files = set_cell(base_files, "referrals.csv", 2, "status", "engaged")

    result = load(files, user=lead)

    assert result.counts["referrals.csv"].changed == 1
    referral = Referral.objects.get()
    today = timezone.localdate()
    assert (referral.status, referral.attended_on, referral.engaged_on) == ("engaged", today, today)
    assert referral.referred_on == date(2024, 2, 3)
    assert list(referral.changes.values_list("status", flat=True)) == ["referred", "engaged"]


def test_a_survey_practice_year_is_replaced_only_when_its_answers_differ(base_files, lead):
    text = base_files["staff_survey.csv"] + "30002,2022,no,yes\n"
    load({**base_files, "staff_survey.csv": text}, user=lead)
    kept = StaffSurveyResponse.objects.get(practice__code="30002")
    old_ids = set(StaffSurveyResponse.objects.filter(year=2024).values_list("pk", flat=True))

    changed = text.replace("30001,2024,no,no", "30001,2024,yes,yes")
    result = load({**base_files, "staff_survey.csv": changed}, user=lead)

    counts = result.counts["staff_survey.csv"]
    assert (counts.changed, counts.unchanged) == (2, 1)
    rows = StaffSurveyResponse.objects.filter(year=2024)
    assert sorted(rows.values_list("wellbeing_activities", "give_up_within_5y")) == [
        (True, False),
        (True, True),
    ]
    assert not old_ids & set(rows.values_list("pk", flat=True))
    assert StaffSurveyResponse.objects.get(practice__code="30002") == kept


def test_the_same_survey_answers_in_another_order_are_unchanged(base_files, lead):
    load(base_files, user=lead)
    lines = base_files["staff_survey.csv"].splitlines()
    swapped = "\n".join([lines[0], lines[2], lines[1]]) + "\n"
    result = load({**base_files, "staff_survey.csv": swapped}, user=lead)
    assert result.counts["staff_survey.csv"].unchanged == 2


def test_a_practice_left_out_of_practice_codes_ends_that_attachment(base_files, lead):
    load(base_files, user=lead)
    files = set_cell(base_files, "staff.csv", 2, "practice_codes", "30001")

    result = load(files, user=lead)

    assert result.counts["staff.csv"].changed == 1
    ended = Attachment.objects.get(user__username="kim.clp", practice__code="30002")
    assert ended.ended_on == timezone.localdate() - timedelta(days=1)
    assert Attachment.objects.current().filter(user__username="kim.clp").count() == 1

    restored = load(base_files, user=lead)
    assert restored.counts["staff.csv"].changed == 1
    ended.refresh_from_db()
    assert ended.ended_on is None


def test_attachments_keep_their_own_start_dates_while_the_earliest_agrees(base_files, lead):
    load(base_files, user=lead)
    Attachment.objects.filter(practice__code="30002", user__username="kim.clp").update(
        started_on=date(2019, 6, 3)
    )
    assert load(base_files, user=lead).counts["staff.csv"].changed == 0

    moved = set_cell(base_files, "staff.csv", 2, "start_date", "2016-01-04")
    assert load(moved, user=lead).counts["staff.csv"].changed == 1
    assert set(
        Attachment.objects.filter(user__username="kim.clp").values_list("started_on", flat=True)
    ) == {date(2016, 1, 4)}


def test_a_case_reopened_by_the_import_gets_its_status_change(base_files, lead):
    load(base_files, user=lead)
    files = set_cell(base_files, "participants.csv", 3, "status", "open")
    files = set_cell(files, "participants.csv", 3, "closed_on", "")
    files = set_cell(files, "participants.csv", 3, "discharge_reason", "")

    load(files, user=lead)

    ryan = Participant.objects.get(ref="P2002")
    assert (ryan.status, ryan.closed_on, ryan.discharge_reason) == ("open", None, "")
    assert list(ryan.status_changes.order_by("id").values_list("status", flat=True)) == [
        "closed",
        "open",
    ]


def test_a_file_only_of_consultations_can_add_to_participants_already_there(base_files, lead):
    load(base_files, user=lead)
    text = "participant_ref,date,clp_username,mode,duration_minutes,attended\n"
    text += "P2002,2024-03-01,kim.clp,home,40,yes\n"
    result = load({"consultations.csv": text}, user=lead)
    assert result.counts["consultations.csv"].new == 1
    assert Consultation.objects.filter(participant__ref="P2002").count() == 1


@pytest.mark.parametrize("check_only", [True, False])
def test_no_chunk_s_planned_rows_are_kept_past_it_when_checking_or_once_a_problem_is_found(
    base_files, lead, monkeypatch, check_only
):
    """Checking writes nothing, nor does an import once it has found a problem: what a chunk
    planned to write is dropped all the same, so memory holds a chunk whatever the files'
    size."""
    monkeypatch.setattr(reading, "CHUNK_ROWS", 1)
    held: list[int] = []
    settle = Planner.settle

    def settle_counting(planner):
        held.append(sum(map(len, [*planner.rows.values(), *planner.create.values()])))
        settle(planner)

    monkeypatch.setattr(Planner, "settle", settle_counting)
    files = base_files if check_only else set_cell(base_files, "participants.csv", 2, "sex", "x")

    if check_only:
        result = programme_check(sources=as_bytes(files), user=lead)
        assert result.changes > 0
    else:
        assert not load(files, user=lead).applied
    assert held and not any(held)
