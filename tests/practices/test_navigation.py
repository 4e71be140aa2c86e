"""The main navigation: each role's links, the current page marked, the user's name escaped,
and the same paths as `reverse` when the URLconf changes."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from accounts.http import path_to
from tests.factories import clp_at


def _nav(html: str) -> str:
    return html.split('id="main-nav">', 1)[1].split("</nav>", 1)[0]


def _labels(html: str) -> list[str]:
    return [
        label.strip()
        for label in re.findall(
            r'class="(?:nav-link|dropdown-item)[^"]*"[^>]*>([^<]+)<', _nav(html)
        )
    ]


@pytest.mark.django_db
def test_a_clp_sees_their_work_and_the_answers_count(as_user, clp_a):
    clp_a.unread_feedback = 3
    clp_a.save(update_fields=["unread_feedback"])
    html = as_user(clp_a).get(reverse("participants:caseload")).content.decode()
    labels = _labels(html)
    assert labels[:5] == ["Home", "Caseload", "Follow-ups", "Safeguarding", "Answers"]
    assert "Resources" in labels
    assert "Practices" not in labels and "Dashboard" not in labels
    assert '<span class="badge text-bg-warning">3<' in _nav(html)
    caseload = reverse("participants:caseload")
    assert f'<a class="nav-link active" aria-current="page" href="{caseload}">Caseload</a>' in html
    assert html.count('aria-current="page"') == 1


@pytest.mark.django_db
def test_a_manager_sees_the_dashboard_and_referrals_not_the_answers(as_user, manager_a):
    labels = _labels(as_user(manager_a).get(reverse("home")).content.decode())
    assert labels[:3] == ["Home", "Caseload", "Follow-ups"]
    assert {"Dashboard", "Referrals", "Staff survey"} <= set(labels)
    assert "Answers" not in labels and "Resources" not in labels


@pytest.mark.django_db
def test_a_lead_sees_the_programme_menu_without_the_administrators_items(as_user, lead):
    labels = _labels(as_user(lead).get(reverse("home")).content.decode())
    assert "Caseload" not in labels and "Follow-ups" not in labels
    assert {"Referral statistics", "Annual report", "Practices", "Import data"} <= set(labels)
    assert "Export data" not in labels and "Administration" not in labels


@pytest.mark.django_db
def test_an_administrator_has_export_and_administration(as_user, admin_user):
    labels = _labels(as_user(admin_user).get(reverse("home")).content.decode())
    assert {"Export data", "Administration", "Safeguarding"} <= set(labels)


@pytest.mark.django_db
def test_the_users_name_is_escaped_and_sign_out_carries_the_token(as_user, practice_a):
    user = clp_at(practice_a, username="odd", full_name='<script>alert("x")</script>')
    html = as_user(user).get(reverse("home")).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in _nav(html)
    assert re.search(r'name="csrfmiddlewaretoken" value="[A-Za-z0-9]{64}"', _nav(html))


@pytest.mark.django_db
def test_nobody_signed_in_gets_no_navigation(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert 'id="main-nav"' not in html


def test_paths_follow_a_changed_urlconf():
    assert path_to("home") == reverse("home")
    with override_settings(ROOT_URLCONF="tests.practices.navigation_urls"):
        assert path_to("home") == "/elsewhere/" == reverse("home")
    assert path_to("home") == reverse("home")
