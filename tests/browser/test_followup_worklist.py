"""A CLP completes a due follow-up from the worklist, and the participant's page then shows
baseline and nine-month scores side by side with the change."""

from datetime import timedelta

import pytest
from django.utils import timezone

from participants.dates import add_months
from participants.followups import followups_run
from participants.measures import apply_scores
from participants.models import HADS_ITEMS, Assessment, FollowUp
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import TEST_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_clp_completes_a_due_follow_up_from_the_worklist(page, clp_a, participant_a):
    today = timezone.localdate()
    baseline = Assessment(
        participant=participant_a,
        timepoint="baseline",
        date=add_months(today - timedelta(days=3), -9),
        recorded_by=clp_a,
        exercise_days=1,
        **dict.fromkeys(HADS_ITEMS, 2),
    )
    apply_scores(baseline)
    baseline.save()
    participant_a.referred_on = baseline.date - timedelta(days=7)
    participant_a.save(update_fields=["referred_on"])
    followups_run(today=today)

    sign_in(page, "clp_a", TEST_PASSWORD)
    page.get_by_role("link", name="Follow-ups", exact=True).click()
    page.get_by_role("heading", name="Due now or this week").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name=f"Record follow-up for {participant_a.ref}").click()
    page.get_by_role("heading", name="Outcome measures").wait_for()
    assert page.get_by_label("Timepoint").input_value() == "follow_up"
    for number in range(1, 15):
        page.locator(f"#id_hads_{number}").fill("1")
    page.get_by_label("Days with 30 minutes of moderate activity").fill("4")
    page.get_by_role("button", name="Save assessment").click()
    page.get_by_role("heading", name="Outcomes").wait_for()

    assert FollowUp.objects.get().status == "completed"
    outcomes = page.get_by_role("table").filter(has_text="HADS anxiety")
    anxiety = outcomes.get_by_role("row").filter(has_text="HADS anxiety").inner_text().split()
    # Baseline 14 (abnormal), follow-up 7 (normal): a change of -7.
    assert anxiety[-5:] == ["14", "abnormal", "7", "normal", "-7"]
    assert_accessible(page)

    page.get_by_role("link", name="Follow-ups", exact=True).click()
    page.get_by_text("Nothing to follow up just now").wait_for()
