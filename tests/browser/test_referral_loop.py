"""Closing the loop in a real browser: a CLP finds a service, refers a participant and makes
a link; the organisation opens it in a fresh browser with no account and says the person
engaged; the CLP sees the answer on the referral. Each page passes an accessibility check."""

from datetime import date

import pytest

from referrals.models import Category, CommunityResource, FeedbackLink, Referral, ReferralStatus
from referrals.services import feedback_link_issue, referral_create
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import TEST_PASSWORD
from tests.referrals.factories import ResourceFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def directory(db):
    # Transactional tests empty the tables between tests, seeded categories included.
    for name in ("Physical activity", "Social groups", "Money advice"):
        Category.objects.get_or_create(name=name)
    ResourceFactory(
        organisation="Springburn Strollers",
        name="Tuesday walking group",
        description="A gentle walk round Springburn Park, then tea.",
        area="Springburn",
        categories=["Physical activity", "Social groups"],
    )
    ResourceFactory(
        organisation="Eastend Money Matters",
        name="Debt advice",
        description="Help with bills and benefits.",
        area="Dennistoun",
        categories=["Money advice"],
    )


def test_a_clp_refers_and_the_organisation_closes_the_loop(
    page, new_context, clp_a, participant_a, directory
):
    sign_in(page, "clp_a", TEST_PASSWORD)
    page.get_by_role("link", name="Resources", exact=True).click()
    page.get_by_role("heading", name="Community resources").wait_for()
    assert_accessible(page)

    # Find the service by searching for what it does.
    page.get_by_label("Search", exact=True).fill("walking")
    page.get_by_role("button", name="Search").click()
    page.get_by_text("1 service found").wait_for()
    assert page.get_by_text("Debt advice").count() == 0
    page.get_by_role("link", name="Tuesday walking group").click()
    page.get_by_role("heading", name="How to refer").wait_for()
    assert_accessible(page)

    page.get_by_role("link", name="Refer someone to this service").click()
    page.get_by_role("heading", name="Make a referral").wait_for()
    assert page.get_by_role("combobox", name="Service").input_value() != ""
    page.get_by_role("combobox", name="Participant").select_option(label="Anderson, Alice (P1001)")
    page.get_by_label("Note for the organisation").fill("Nervous about going alone.")
    assert_accessible(page)
    page.get_by_role("button", name="Save referral").click()

    page.get_by_role("heading", name="Alice Anderson to Tuesday walking group").wait_for()
    referral = Referral.objects.get()
    assert referral.status == ReferralStatus.REFERRED
    assert_accessible(page)

    page.get_by_role("link", name="Ask the organisation how it went").click()
    page.get_by_role("heading", name="Ask Springburn Strollers how it went").wait_for()
    assert_accessible(page)
    page.get_by_label("Show me the link to send myself").check()
    page.get_by_role("button", name="Send").click()
    page.get_by_text("This link is shown only now").wait_for()
    assert_accessible(page)
    url = page.get_by_label("Link for the organisation").input_value()
    assert "/feedback/" in url and f"/{referral.pk}/" not in url

    # The organisation: another browser, no account.
    organisation = new_context().new_page()
    organisation.goto(url)
    organisation.get_by_role("heading", name="How did the referral go?").wait_for()
    text = organisation.content()
    assert "Alice A." in text and "Nervous about going alone." in text
    assert "Anderson" not in text and participant_a.chi not in text
    assert_accessible(organisation)

    # A forgotten answer is explained beside the question; what was chosen is kept.
    organisation.get_by_role("group", name="Did Alice attend?").get_by_label("Yes").check()
    organisation.get_by_role("button", name="Send your answer").click()
    organisation.get_by_text("Please answer the questions marked below").wait_for()
    assert (
        organisation.get_by_role("group", name="Did Alice attend?").get_by_label("Yes").is_checked()
    )
    assert_accessible(organisation)

    organisation.get_by_role("group", name="Did Alice engage").get_by_label("Yes").check()
    organisation.get_by_role("group", name="appropriate").get_by_label("Yes").check()
    organisation.get_by_role("group", name="relevant").get_by_label("Yes").check()
    organisation.get_by_label("Anything else the CLP should know?").fill("Came every week.")
    organisation.get_by_role("button", name="Send your answer").click()
    organisation.get_by_role("heading", name="Thank you").wait_for()
    assert_accessible(organisation)

    # The link works once.
    organisation.goto(url)
    organisation.get_by_role("heading", name="This link has already been used").wait_for()
    assert_accessible(organisation)

    # The CLP sees the answer on the referral.
    page.get_by_role("link", name="Back to the referral").click()
    page.get_by_role("heading", name="The organisation's answer").wait_for()
    assert page.get_by_text("Came every week.").is_visible()
    assert page.get_by_text("Engaged", exact=True).first.is_visible()
    assert_accessible(page)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ENGAGED and referral.feedback_appropriate
    assert FeedbackLink.objects.get().state == FeedbackLink.State.USED


def test_the_other_referral_screens_pass_the_accessibility_check(
    page, new_context, clp_a, lead, participant_a, directory
):
    resource = CommunityResource.objects.get(name="Tuesday walking group")
    referral = referral_create(
        user=clp_a,
        participant=participant_a,
        resource=resource,
        on=date(2024, 3, 1),
        status=ReferralStatus.REFERRED,
    )
    link, _ = feedback_link_issue(user=clp_a, referral=referral)

    sign_in(page, "clp_a", TEST_PASSWORD)
    for path, heading in [
        ("/referrals/", "Referrals to community resources"),
        (f"/referrals/{referral.pk}/status/", "Update the referral"),
        (f"/referrals/{referral.pk}/close/", "Close the referral"),
        (f"/referrals/{referral.pk}/links/{link.pk}/withdraw/", "Withdraw the link"),
        (f"/resources/{resource.pk}/active/", "Deactivate"),
        ("/resources/new/", "Add a service"),
    ]:
        page.goto(path)
        page.get_by_role("heading", name=heading).wait_for()
        assert_accessible(page)
    # A form sent back with errors is accessible too.
    page.get_by_role("button", name="Save service").click()
    page.get_by_text("Choose at least one category.").wait_for()
    assert_accessible(page)

    lead_page = new_context().new_page()
    sign_in(lead_page, "lead", TEST_PASSWORD)
    lead_page.get_by_role("link", name="Referral statistics").click()
    lead_page.get_by_role("heading", name="Referral statistics").wait_for()
    lead_page.get_by_label("Year", exact=True).select_option("2024")
    lead_page.get_by_label("Periods", exact=True).select_option("month")
    lead_page.get_by_role("button", name="Show").click()
    lead_page.get_by_role("heading", name="By service").wait_for()
    assert "Anderson" not in lead_page.content()
    assert_accessible(lead_page)
