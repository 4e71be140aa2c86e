"""A CLP flags a participant "do not visit alone"; the flag shows on the caseload and the
worklist, and logging a home visit asks who went. The CLP then raises a safeguarding
concern; the practice's safeguarding lead is emailed a bare link, opens the concern,
records an action and closes it."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from participants.dates import add_months
from participants.followups import followups_run
from participants.models import Assessment, Consultation, RiskFlag
from safeguarding.models import Concern, ConcernStatus
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import TEST_PASSWORD, SafeguardingLeadFactory, clp_at

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_flag_a_home_visit_and_a_concern_from_raising_to_closing(
    page, new_context, clp_a, practice_a, participant_a
):
    today = timezone.localdate()
    Assessment.objects.create(
        participant=participant_a,
        timepoint="baseline",
        date=add_months(today - timedelta(days=2), -9),
        recorded_by=clp_a,
    )
    followups_run(today=today)
    sg_lead = clp_at(practice_a, username="sg_lead", full_name="Sam Safeguarding")
    SafeguardingLeadFactory(practice=practice_a, user=sg_lead)
    name = f"{participant_a.first_name} {participant_a.last_name}"

    sign_in(page, "clp_a", TEST_PASSWORD)
    page.goto(f"/participants/{participant_a.ref}/")
    page.get_by_role("link", name="Add a risk flag").click()
    page.get_by_label("Do not visit alone").check()
    page.get_by_label("Why this flag is needed").fill("Partner was threatening at the last visit")
    assert_accessible(page)
    page.get_by_role("button", name="Set the flag").click()
    page.get_by_role("heading", name="Risk flag").wait_for()
    assert RiskFlag.objects.get().kind == "do_not_visit_alone"
    assert_accessible(page)

    page.get_by_role("link", name="Caseload", exact=True).click()
    row = page.get_by_role("row").filter(has_text=participant_a.ref)
    assert "Do not visit alone" in row.inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Follow-ups", exact=True).click()
    row = page.get_by_role("row").filter(has_text=participant_a.ref)
    assert "Do not visit alone" in row.inner_text()

    page.goto(f"/participants/{participant_a.ref}/consultations/new/")
    page.get_by_label("Home visit", exact=True).check()
    page.get_by_role("button", name="Save consultation").click()
    page.get_by_text("Confirm that you did not go alone").wait_for()
    assert_accessible(page)
    page.get_by_label("Who went with you").fill("Jo Smith, practice nurse")
    page.get_by_label("I confirm I did not go on this home visit alone").check()
    page.get_by_role("button", name="Save consultation").click()
    page.get_by_text("Consultation logged.").wait_for()
    assert Consultation.objects.get(mode="home").visited_with == "Jo Smith, practice nurse"

    page.get_by_role("link", name="Raise a safeguarding concern").click()
    page.get_by_role("heading", name=f"Raise a safeguarding concern about {name}").wait_for()
    page.get_by_label("An adult").check()
    page.get_by_label("Category").select_option("domestic")
    page.get_by_label("What was seen or said").fill("Bruising on both arms")
    page.get_by_label("Discussed with the GP").check()
    assert_accessible(page)
    page.get_by_role("button", name="Record the concern").click()
    page.get_by_text("Concern recorded.").wait_for()
    concern = Concern.objects.get()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [sg_lead.email]
    assert participant_a.last_name not in message.body
    path = re.search(r"https?://[^/\s]+(/safeguarding/[0-9a-f-]+/)", message.body).group(1)

    lead_page = new_context().new_page()
    sign_in(lead_page, "sg_lead", TEST_PASSWORD)
    lead_page.goto(path)
    lead_page.get_by_role("heading", name="Safeguarding concern: Domestic abuse").wait_for()
    assert "Bruising on both arms" in lead_page.content()
    assert_accessible(lead_page)
    lead_page.get_by_label("Action taken").fill("Referred to adult social work")
    lead_page.get_by_role("button", name="Record the action").click()
    lead_page.get_by_text("Action recorded.").wait_for()
    lead_page.get_by_label("Outcome: why the concern can close").fill("Social work have it")
    lead_page.get_by_role("button", name="Close the concern").click()
    lead_page.get_by_text("Concern closed.").wait_for()
    assert_accessible(lead_page)

    concern.refresh_from_db()
    assert concern.status == ConcernStatus.CLOSED
    assert concern.closed_by == sg_lead
    assert [a.note for a in concern.actions.all()] == ["Referred to adult social work"]


def test_the_pages_fit_a_phone(page, clp_a, participant_a):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "clp_a", TEST_PASSWORD)
    for path in [
        f"/participants/{participant_a.ref}/flags/new/",
        f"/safeguarding/participants/{participant_a.ref}/new/",
        "/safeguarding/",
    ]:
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, path
