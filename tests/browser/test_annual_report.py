"""A programme lead requests the annual report, follows its progress and downloads the PDF."""

import io
import time

import pytest
from django.db import OperationalError
from pypdf import PdfReader

from practices.progress import job_progress_record
from reports.jobs import annual_report_render
from reports.models import AnnualReport
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import TEST_PASSWORD
from tests.reports.known_programme import build_known_programme

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _pdf_text(path) -> str:
    with open(path, "rb") as f:
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(f.read())).pages)
    return " ".join(text.split())


def test_a_lead_requests_the_report_sees_it_progress_and_downloads_it(page, lead, media):
    build_known_programme()
    # A render already under way on a worker, part-done, as the page finds it.
    running = AnnualReport.objects.create(year=2024, requested_by=lead, status="running")
    job_progress_record(running, done=40, total=100, message="Drawing the charts")
    sign_in(page, "lead", TEST_PASSWORD)
    page.get_by_role("link", name="Annual report").click()
    page.get_by_role("heading", name="Annual programme review").wait_for()
    bar = page.get_by_role("progressbar", name="Progress of the 2024 report")
    assert bar.get_attribute("aria-valuenow") == "40"
    assert page.get_by_text("Drawing the charts").is_visible()
    assert_accessible(page)

    # The worker finishes; the page notices by itself and offers the download. (SQLite's
    # shared in-memory test database can lock the table while the page polls it; the render
    # is idempotent, so it is simply tried again, as Celery would.)
    for _ in range(20):
        try:
            annual_report_render(report_id=running.pk)
            break
        except OperationalError:
            time.sleep(0.25)
    page.get_by_role("link", name="Download PDF for 2024").wait_for(timeout=15_000)

    # A new request for 2025 (rendered in-process here) is ready to download.
    page.get_by_label("Year").select_option("2025")
    page.get_by_role("button", name="Prepare the report").click()
    page.get_by_role("link", name="Download PDF for 2025").wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF for 2025").click()
    assert download.value.suggested_filename == "links-programme-review-2025.pdf"
    text = _pdf_text(download.value.path())
    assert "Over 2025 the programme supported <5 people in 2 practices" in text
    assert_accessible(page)


def test_a_lead_retries_a_failed_report_and_cancels_a_stuck_one_on_a_phone(page, lead, media):
    """Keyboard and 390 px wide: the page says why a render stopped and offers its retry."""
    page.set_viewport_size({"width": 390, "height": 800})
    AnnualReport.objects.create(
        year=2023,
        requested_by=lead,
        status="failed",
        error="Stopped: its work showed no sign of progress for several minutes. Retry it.",
    )
    stuck = AnnualReport.objects.create(year=2022, requested_by=lead, status="running")
    sign_in(page, "lead", TEST_PASSWORD)
    page.goto("/reports/")
    assert page.get_by_text("no sign of progress").is_visible()
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.get_by_role("button", name="Cancel the 2022 report").focus()
    page.keyboard.press("Enter")
    page.get_by_text("The 2022 report was cancelled.").wait_for()
    stuck.refresh_from_db()
    assert stuck.status == "failed"

    page.get_by_role("button", name="Retry the 2023 report").click()  # rendered in-process
    page.get_by_role("link", name="Download PDF for 2023").wait_for()
    assert_accessible(page)
