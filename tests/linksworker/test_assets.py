"""The pages ship the Bootstrap CSS built by `make assets` (build/static/css/bootstrap.css):
every Bootstrap class a template names is in it, and what no page uses is not."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

ROOT = Path(settings.BASE_DIR)
FULL_BOOTSTRAP = ROOT / "node_modules" / "bootstrap" / "dist" / "css" / "bootstrap.css"
CLASS_SELECTOR = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
# Names a template builds from a value ("alert-{{ message.tags }}", "text-bg-{{ tone }}"),
# with every value the templates and views give them.
BUILT_NAMES = {
    "alert-success", "alert-info", "alert-warning", "alert-danger",
    "text-bg-success", "text-bg-warning", "text-bg-danger", "text-bg-secondary",
    "btn-primary", "btn-danger", "btn-outline-primary", "btn-outline-danger",
}  # fmt: skip


def _read(path: Path) -> str:
    if not path.exists():
        pytest.fail(f"{path.relative_to(ROOT)} is missing: `make assets` builds it")
    return path.read_text(encoding="utf-8")


def _classes_in(css: str) -> set[str]:
    # Drop declaration blocks first, so numbers such as ".5rem" are not taken for classes.
    selectors = re.sub(r"\{[^{}]*\}", " ", re.sub(r"url\([^)]*\)", "", css))
    return set(CLASS_SELECTOR.findall(selectors))


def _template_classes() -> set[str]:
    names: set[str] = set()
    sources = [
        *(ROOT / "templates").rglob("*.html"),
        *(ROOT / "templates").rglob("*.jinja"),  # the rows of long tables (accounts.rows)
        *ROOT.glob("*/templatetags/*.py"),  # the navigation, written by a tag
    ]
    for template in sources:
        for attribute in re.findall(r'class="([^"]*)"', template.read_text(encoding="utf-8")):
            # Leave out template syntax and the pieces of names built from values.
            plain = re.sub(r"\{[{%].*?[%}]\}", " ", attribute)
            names.update(word for word in plain.split() if not word.endswith("-"))
    return names


def test_pages_link_the_built_css_and_the_navbar_script_not_all_of_bootstrap(client):
    html = client.get("/accounts/login/").content.decode()
    assert "/static/css/bootstrap.css" in html and "/static/js/navbar.js" in html
    assert "bootstrap.min.css" not in html and "bootstrap.bundle" not in html
    assert finders.find("css/bootstrap.css") and finders.find("js/navbar.js")


def test_every_bootstrap_class_a_template_names_is_in_the_built_css():
    full = _classes_in(_read(FULL_BOOTSTRAP))
    built = _classes_in(_read(ROOT / "build" / "static" / "css" / "bootstrap.css"))
    wanted = (_template_classes() | BUILT_NAMES) & full
    assert {"navbar-toggler", "dropdown-menu", "form-control", "table-sm"} <= wanted
    assert wanted - built == set()
    # The state classes the navbar script sets.
    assert {"show", "collapsing", "collapse"} <= built


def test_the_built_css_leaves_out_what_no_page_uses():
    full_css = _read(FULL_BOOTSTRAP)
    built_css = _read(ROOT / "build" / "static" / "css" / "bootstrap.css")
    built = _classes_in(built_css)
    assert not {"modal", "carousel", "tooltip", "card", "btn-outline-warning", "bg-info"} & built
    assert len(built_css) < len(full_css) / 4
