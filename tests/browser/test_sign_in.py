import pytest

from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import TEST_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_sign_in_page_is_accessible(page):
    page.goto("/accounts/login/")
    assert_accessible(page)


def test_a_clp_signs_in_and_lands_on_their_caseload_home(page, clp_a, participant_a):
    sign_in(page, "clp_a", TEST_PASSWORD)
    page.get_by_role("heading", name="Your caseload").wait_for()
    assert page.get_by_role("link", name="Alice Anderson").is_visible()
    assert_accessible(page)


def test_a_practice_manager_lands_on_the_practice_caseload(page, manager_a, participant_a):
    sign_in(page, "manager_a", TEST_PASSWORD)
    page.get_by_role("heading", name="Your practice's caseload").wait_for()
    assert_accessible(page)


def test_a_programme_lead_lands_on_the_programme_overview(page, lead, participant_a):
    sign_in(page, "lead", TEST_PASSWORD)
    page.get_by_role("heading", name="The programme at a glance").wait_for()
    assert "Anderson" not in page.content()
    assert_accessible(page)


def test_a_wrong_password_is_explained_on_the_form(page, clp_a):
    sign_in(page, "clp_a", "not-the-password")
    assert page.get_by_text("Please enter a correct username and password").is_visible()
    assert page.get_by_label("Username").input_value() == "clp_a"


def test_the_caseload_and_participant_pages_are_accessible(page, clp_a, participant_a):
    sign_in(page, "clp_a", TEST_PASSWORD)
    page.get_by_role("heading", name="Your caseload").wait_for()
    page.get_by_role("link", name="Caseload", exact=True).click()
    page.get_by_role("heading", name="Caseload").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Anderson, Alice").click()
    page.get_by_role("heading", name="Timeline").wait_for()
    assert_accessible(page)


def test_the_layout_works_on_a_tablet(browser, live_server, clp_a, participant_a):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 768, "height": 1024})
    page = context.new_page()
    sign_in(page, "clp_a", TEST_PASSWORD)
    page.get_by_role("heading", name="Your caseload").wait_for()
    # No horizontal scrolling on a portrait tablet.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
    context.close()
