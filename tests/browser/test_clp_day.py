"""A CLP's day in a real browser: register a participant, record a baseline HADS, log a
consultation; each page passes an automated accessibility check."""

import random
from datetime import date

import pytest

from participants.chi import make_chi
from participants.models import Assessment, Consultation, Participant
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import TEST_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_clp_registers_a_participant_records_a_baseline_and_logs_a_consultation(
    page, clp_a, practice_a
):
    chi = make_chi(date_of_birth=date(1971, 3, 9), sex="female", rng=random.Random(3))
    sign_in(page, "clp_a", TEST_PASSWORD)
    page.get_by_role("link", name="Caseload", exact=True).click()
    page.get_by_role("link", name="Register a participant").click()
    page.get_by_role("heading", name="Register a participant").wait_for()
    assert_accessible(page)

    # A mistyped CHI number is explained next to the field and nothing typed is lost.
    page.get_by_label("CHI number").fill(chi[:9] + str((int(chi[9]) + 1) % 10))
    page.get_by_label("First name").fill("Morven")
    page.get_by_label("Last name").fill("<b>Test</b>")
    page.get_by_label("Date of birth").fill("1971-03-09")
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("Postcode").fill("g21 1aa")
    page.get_by_label("Referred by").select_option("gp")
    page.get_by_label("Money and debt (social)").check()
    page.get_by_label("Anxiety or depression (mental health)").check()
    page.get_by_role("button", name="Register").click()
    page.get_by_text("not a valid check digit").wait_for()
    assert page.get_by_label("First name").input_value() == "Morven"
    assert Participant.objects.count() == 0
    assert_accessible(page)

    page.get_by_label("CHI number").fill(chi)
    page.get_by_role("button", name="Register").click()
    page.get_by_role("heading", name="Timeline").wait_for()
    participant = Participant.objects.get()
    assert participant.postcode == "G21 1AA"
    assert page.get_by_text("Spanning 2 domains").is_visible()
    # Markup typed into a name is shown as text.
    assert page.get_by_role("heading", level=1).inner_text().startswith("Morven <b>Test</b>")
    assert_accessible(page)

    page.get_by_role("link", name="Record outcome measures").click()
    page.get_by_role("heading", name="Outcome measures").wait_for()
    for number, score in enumerate([2, 1, 3, 2, 2, 1, 3, 1, 2, 2, 1, 0, 2, 1], start=1):
        page.locator(f"#id_hads_{number}").fill(str(score))
    page.get_by_label("Days with 30 minutes of moderate activity").fill("2")
    # The page shows the subscales as the CLP types (odd items anxiety, even depression).
    page.get_by_text("Anxiety 15 (abnormal); depression 8 (borderline).").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Save assessment").click()
    page.get_by_role("heading", name="Timeline").wait_for()
    baseline = Assessment.objects.get(participant=participant)
    assert (baseline.hads_anxiety, baseline.hads_depression) == (15, 8)

    page.get_by_role("link", name="Log consultation").click()
    page.get_by_role("heading", name="Consultation with").wait_for()
    assert_accessible(page)
    # Today, the CLP and their usual mode are filled in: only the notes need typing.
    page.get_by_label("Money and debt").check()
    page.get_by_label("Notes").fill("Talked through the bills; will phone the advice centre.")
    page.keyboard.press("Tab")
    page.get_by_role("button", name="Save consultation").click()
    page.get_by_text("Consultation logged.").wait_for()
    consultation = Consultation.objects.get(participant=participant)
    assert consultation.clp == clp_a and consultation.attended
    assert page.get_by_text("Talked through the bills").is_visible()
    assert_accessible(page)
