"""One year's engagement figure through every surface that shows it: the referral
statistics page, the practice dashboard, the programme dashboard (its rows, its totals row
and its CSV), the annual statistics, the report's text and its PDF. They must agree."""

import csv
import importlib
import io
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from referrals.figures import engaged_sql
from referrals.models import ReferralStatus as S
from referrals.selectors import referral_statistics
from reports.dashboards import practice_comparison
from reports.rendering import render_report_html, render_report_pdf
from reports.statistics import programme_statistics
from tests.referrals.factories import ReferralFactory

YEAR = {"start": date(2024, 1, 1), "end": date(2024, 12, 31)}


@pytest.fixture
def year_2024(monkeypatch, participant_a):
    """Twelve referrals in 2024 at one practice: seven whose latest status is attended or
    engaged, one that reached engaged and was closed later, four that went nowhere; and one
    in each neighbouring year, which no surface may count. The dashboards' twelve months end
    in December 2024."""
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2024, 12, 15))

    def make(on, status, **extra):
        ReferralFactory(participant=participant_a, date=on, status=status, **extra)

    for month in range(1, 5):
        make(date(2024, month, 3), S.ENGAGED, engaged_on=date(2024, month, 20))
    for month in range(5, 8):
        make(date(2024, month, 3), S.ATTENDED, attended_on=date(2024, month, 20))
    make(date(2024, 8, 3), S.CLOSED, engaged_on=date(2024, 8, 20))
    for month in range(9, 13):
        make(date(2024, month, 3), S.REFERRED)
    make(date(2023, 12, 30), S.ENGAGED, engaged_on=date(2024, 1, 5))


EXPECTED = 58.3  # 7 of 12


def test_every_surface_shows_the_same_engagement_for_the_year(year_2024, as_user, lead, manager_a):
    stats = programme_statistics(**YEAR)
    assert (stats["referrals"]["made"], stats["referrals"]["engaged"]) == (12, 7)
    assert stats["referrals"]["engaged_pct"] == EXPECTED

    page = referral_statistics(user=lead, year=2024)
    assert (page.totals.referrals, page.totals.engaged) == (12, 7)
    assert page.totals.engagement_rate == EXPECTED
    assert page.totals.reached_engaged == 5  # the closed one reached engaged, named apart

    [row] = practice_comparison(user=lead)
    assert row.engaged_pct == EXPECTED

    shown = f"{EXPECTED}%"
    body = as_user(lead).get(reverse("referrals:statistics"), {"year": 2024}).content.decode()
    assert shown in body and "latest status" in body

    body = as_user(manager_a).get(reverse("reports:practice_dashboard")).content.decode()
    assert shown in body and "latest status" in body

    response = as_user(lead).get(reverse("reports:programme_dashboard"))
    body = response.content.decode()
    footer = body[body.index("<tfoot>") : body.index("</tfoot>")]
    assert shown in footer and "latest status" in body

    rows = list(
        csv.reader(
            io.StringIO(
                as_user(lead)
                .get(reverse("reports:programme_dashboard"), {"download": "practices"})
                .content.decode()
            )
        )
    )
    assert rows[1][rows[0].index("referrals_engaged_pct")] == str(EXPECTED)

    assert shown in render_report_html(stats)
    pdf = PdfReader(io.BytesIO(render_report_pdf(stats)))
    assert shown in "".join(page.extract_text() for page in pdf.pages)


def test_the_running_counts_trigger_counts_engaged_by_the_one_definition():
    """The triggers that keep the dashboards' counts are SQL in a migration: their test of
    engagement must be the definition's, or the dashboards would drift from the report."""
    migration = importlib.import_module("reports.migrations.0003_practice_figure_triggers")
    figures = dict(
        (figure, condition) for figure, condition in migration.SOURCES["referral"].figures
    )
    assert figures["'referrals_engaged'"].format(r="NEW") == engaged_sql("NEW")


def test_the_programme_totals_row_puts_percentages_in_the_percentage_columns(
    year_2024, as_user, lead
):
    body = as_user(lead).get(reverse("reports:programme_dashboard")).content.decode()
    footer = body[body.index("<tfoot>") : body.index("</tfoot>")]
    assert f"{EXPECTED}%" in footer
    assert ">7<" not in footer  # the engaged count no longer sits in the % column
