"""The navbar's menu button on a phone and its Programme menu from the keyboard, as
static/js/navbar.js makes them work (Bootstrap's JavaScript is not shipped)."""

import pytest

from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import TEST_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _focused(page) -> str:
    return page.evaluate("document.activeElement.textContent.trim()")


def test_the_menu_button_shows_and_hides_the_navigation_on_a_phone(page, lead):
    page.set_viewport_size({"width": 390, "height": 800})
    sign_in(page, "lead", TEST_PASSWORD)
    toggler = page.get_by_role("button", name="Show navigation")
    nav = page.locator("#main-nav")
    assert toggler.get_attribute("aria-expanded") == "false"
    assert not nav.is_visible()

    toggler.click()
    page.get_by_role("link", name="Referral statistics").wait_for()
    assert toggler.get_attribute("aria-expanded") == "true"
    page.locator("#main-nav.collapse.show").wait_for()  # the slide has finished
    assert_accessible(page)

    toggler.click()
    nav.wait_for(state="hidden")
    assert toggler.get_attribute("aria-expanded") == "false"


def test_the_programme_menu_works_from_the_keyboard(page, lead):
    sign_in(page, "lead", TEST_PASSWORD)
    menu = page.get_by_role("button", name="Programme")
    practices = page.get_by_role("link", name="Practices", exact=True)

    menu.focus()
    page.keyboard.press("Enter")
    assert menu.get_attribute("aria-expanded") == "true"
    assert practices.is_visible()
    page.keyboard.press("Escape")
    assert menu.get_attribute("aria-expanded") == "false"
    assert not practices.is_visible()
    assert _focused(page) == "Programme"

    # The arrows open it and walk its items, stopping at either end.
    page.keyboard.press("ArrowDown")
    assert menu.get_attribute("aria-expanded") == "true"
    assert _focused(page) == "Practices"
    page.keyboard.press("ArrowDown")
    assert _focused(page) == "Staff"
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert _focused(page) == "Practices"
    page.keyboard.press("Escape")
    page.keyboard.press("ArrowUp")
    assert _focused(page) == "Import data"  # the last item a lead has
    page.keyboard.press("Escape")

    # Tab out of the open menu closes it; so does a click elsewhere.
    page.keyboard.press("Enter")
    for _ in range(page.locator(".dropdown-menu .dropdown-item").count() + 1):
        page.keyboard.press("Tab")
    assert menu.get_attribute("aria-expanded") == "false"
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    page.locator("main").click(position={"x": 5, "y": 5})
    assert menu.get_attribute("aria-expanded") == "false"

    # An item is a link like any other.
    menu.click()
    practices.click()
    page.get_by_role("heading", name="Practices").wait_for()
