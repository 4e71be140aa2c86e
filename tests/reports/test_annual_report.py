import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from audit.models import AuditEvent
from practices.progress import job_progress_record
from reports import jobs
from reports.jobs import annual_report_render
from reports.models import AnnualReport, ReportStatus
from reports.services import annual_report_request
from tests.reports.known_programme import build_known_programme


def pdf_text(data: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def known(db):
    return build_known_programme()


def test_a_requested_report_is_rendered_stored_and_downloadable(
    as_user, lead, known, media, django_capture_on_commit_callbacks
):
    c = as_user(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("reports:list"), {"year": 2025})
    assert response.status_code == 302
    report = AnnualReport.objects.get()
    assert (report.status, report.progress) == (ReportStatus.DONE, 100)
    download = c.get(reverse("reports:download", args=[report.pk]))
    assert download["Content-Type"] == "application/pdf"
    text = pdf_text(b"".join(download.streaming_content))
    assert "Links programme review 2025" in text
    assert AuditEvent.objects.filter(action="export", object_type="annualreport").exists()


def test_the_pdf_carries_the_key_figures_when_nothing_needs_suppressing(known, settings):
    from reports.rendering import render_report_pdf
    from reports.statistics import programme_statistics

    settings.LINKS_SUPPRESSION_THRESHOLD = 1  # nothing is small enough to hide
    stats = programme_statistics(start=date(2025, 1, 1), end=date(2025, 12, 31))
    text = pdf_text(render_report_pdf(stats))
    assert "Over 2025 the programme supported 4 people in 2 practices" in text
    assert "66.7% of those supported whose postcode is known" in text
    assert "-3.00" in text  # HADS anxiety mean change
    assert "-7.30 to +1.30" in text  # and its 95 % interval
    assert "Appendix: definitions" in text


def test_small_counts_never_reach_the_pdf(known, settings):
    from reports.rendering import render_report_pdf
    from reports.statistics import programme_statistics

    settings.LINKS_SUPPRESSION_THRESHOLD = 5
    stats = programme_statistics(start=date(2025, 1, 1), end=date(2025, 12, 31))
    text = pdf_text(render_report_pdf(stats))
    assert "supported <5 people" in text
    assert "supported 4 people" not in text
    assert "-7.30 to +1.30" not in text  # the interval of three people is hidden too
    assert "<5" in text


def test_rendering_again_leaves_a_finished_report_alone(lead, known, media):
    report = AnnualReport.objects.create(year=2025, requested_by=lead)
    annual_report_render(report_id=report.pk)
    report.refresh_from_db()
    first_name = report.pdf.name
    annual_report_render(report_id=report.pk)
    report.refresh_from_db()
    assert report.pdf.name == first_name
    assert len(list(media.rglob("*.pdf"))) == 1


def test_a_failed_render_says_why_on_the_page(
    as_user, lead, known, media, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(stats):
        raise RuntimeError("fonts missing")

    monkeypatch.setattr(jobs, "render_report_pdf", broken)
    c = as_user(lead)
    with django_capture_on_commit_callbacks(execute=True):
        c.post(reverse("reports:list"), {"year": 2025})
    report = AnnualReport.objects.get()
    assert report.status == ReportStatus.FAILED
    assert "RuntimeError: fonts missing" in c.get(reverse("reports:list")).content.decode()


def test_a_second_request_while_one_is_running_reuses_it(lead, known):
    first = AnnualReport.objects.create(year=2025, requested_by=lead, status="running")
    assert annual_report_request(user=lead, year=2025) == first


def test_a_year_in_the_future_is_refused(as_user, lead):
    response = as_user(lead).post(reverse("reports:list"), {"year": 2100})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not AnnualReport.objects.exists()


@pytest.mark.parametrize("who", ["clp_a", "manager_a"])
def test_only_programme_leads_reach_reports(request, as_user, lead, who, media):
    report = AnnualReport.objects.create(year=2025, requested_by=lead, status="done")
    c = as_user(request.getfixturevalue(who))
    assert c.get(reverse("reports:list")).status_code == 403
    assert c.get(reverse("reports:status", args=[report.pk])).status_code == 403
    assert c.get(reverse("reports:download", args=[report.pk])).status_code == 403


def test_the_status_answers_progress_as_json(as_user, lead):
    report = AnnualReport.objects.create(year=2025, requested_by=lead, status="running")
    job_progress_record(report, done=40, total=100, message="Drawing")
    data = as_user(lead).get(reverse("reports:status", args=[report.pk])).json()
    assert (data["status"], data["progress"], data["stage"], data["done"]) == (
        "running",
        40,
        "Drawing",
        False,
    )


def test_the_command_writes_json_and_pdf_from_the_same_figures(known, tmp_path):
    out = io.StringIO()
    call_command(
        "annual_report",
        "2025",
        "--json",
        str(tmp_path / "r.json"),
        "--pdf",
        str(tmp_path / "r.pdf"),
        stdout=out,
    )
    figures = json.loads((tmp_path / "r.json").read_text())
    for key in ("practices", "clps", "participants", "consultations", "referrals", "outcomes"):
        assert key in figures
    assert figures["participants"]["supported"] == 4
    assert figures["outcomes"]["hads_anxiety"]["all"]["ci95_low"] == -7.3
    assert "Links programme review 2025" in pdf_text((tmp_path / "r.pdf").read_bytes())


def test_the_command_needs_an_output(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--json FILE, --pdf FILE"):
        call_command("annual_report", "2025")
