"""The import pages (programme leads and administrators) and the export download
(administrators only). Celery runs tasks in-process here, so the check and the apply are
done by the time the request that queued them answers."""

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import Action, AuditEvent
from exchange.models import ImportJob
from exchange.services import import_job_create
from participants.models import Participant
from practices.progress import job_progress_record
from tests.exchange.conftest import set_cell
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _uploads(files: dict[str, str]) -> list[SimpleUploadedFile]:
    return [
        SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")
        for name, text in files.items()
    ]


def _stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.fixture
def other_lead(db):
    return UserFactory(username="other_lead", is_programme_lead=True)


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    """POST, then run what the request queued after its commit (the check or the apply), as
    a worker would; the test's own transaction never commits."""

    def run(client, url, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {})

    return run


def test_a_programme_lead_uploads_sees_the_preview_applies_and_sees_it_done(
    as_user, post, lead, base_files
):
    c = as_user(lead)
    assert c.get(reverse("exchange:import")).status_code == 200

    response = post(c, reverse("exchange:import"), {"programme_files": _uploads(base_files)})

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exchange:import_job", args=[job.pk])
    assert job.status == ImportJob.Status.READY
    assert not Participant.objects.exists()
    page = c.get(response["Location"]).content.decode()
    assert "What would change" in page
    assert "Apply these changes" in page
    row = '<th scope="row" class="fw-normal"><code>participants.csv</code></th>'
    assert row + '<td class="text-end">2</td>' in page
    assert "Morven" not in page and "Test" not in page

    response = post(c, reverse("exchange:import_apply", args=[job.pk]))

    job.refresh_from_db()
    assert response.status_code == 302
    assert job.status == ImportJob.Status.DONE and job.applied_at is not None
    assert Participant.objects.count() == 2
    page = c.get(reverse("exchange:import_job", args=[job.pk])).content.decode()
    assert "Imported on" in page and "What changed" in page
    # The uploaded files held personal data; they are gone once applied.
    assert _stored_files() == []


def test_an_administrator_may_import_too(as_user, post, admin_user, base_files):
    response = post(
        as_user(admin_user), reverse("exchange:import"), {"programme_files": _uploads(base_files)}
    )
    assert response.status_code == 302
    assert ImportJob.objects.get().status == ImportJob.Status.READY


@pytest.mark.parametrize("who", ["clp_a", "manager_a"])
def test_clps_and_practice_managers_may_not_import(request, as_user, who, base_files):
    c = as_user(request.getfixturevalue(who))
    assert c.get(reverse("exchange:import")).status_code == 403
    assert (
        c.post(reverse("exchange:import"), {"programme_files": _uploads(base_files)}).status_code
        == 403
    )
    assert not ImportJob.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("exchange:import"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_files_with_problems_show_every_problem_and_keep_no_files(as_user, post, lead, base_files):
    files = set_cell(base_files, "participants.csv", 2, "sex", "f")
    c = as_user(lead)
    post(c, reverse("exchange:import"), {"programme_files": _uploads(files)})
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.INVALID
    page = c.get(reverse("exchange:import_job", args=[job.pk])).content.decode()
    assert "1 problem to fix" in page
    assert "participants.csv:2: sex: must be one of: female, male, other, not_known" in page
    assert "Apply these changes" not in page
    assert _stored_files() == []
    response = c.post(reverse("exchange:import_apply", args=[job.pk]), follow=True)
    assert "This import cannot be applied" in response.content.decode()
    assert not Participant.objects.exists()


def test_a_file_that_is_not_a_programme_file_is_refused_on_upload(as_user, lead):
    upload = SimpleUploadedFile("people.csv", b"ref\n", content_type="text/csv")
    response = as_user(lead).post(reverse("exchange:import"), {"programme_files": [upload]})
    assert response.status_code == 200
    assert "is not one of the programme files" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_same_file_twice_is_refused_on_upload(as_user, lead, base_files):
    practices = {"practices.csv": base_files["practices.csv"]}
    uploads = _uploads(practices) + _uploads(practices)
    response = as_user(lead).post(reverse("exchange:import"), {"programme_files": uploads})
    assert "practices.csv was chosen twice." in response.content.decode()


def test_nothing_chosen_is_refused_on_upload(as_user, lead):
    response = as_user(lead).post(reverse("exchange:import"), {})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_someone_elses_import_is_not_found(as_user, post, lead, other_lead, base_files):
    post(as_user(lead), reverse("exchange:import"), {"programme_files": _uploads(base_files)})
    job = ImportJob.objects.get()
    c = as_user(other_lead)
    for name in ("exchange:import_job", "exchange:import_status"):
        assert c.get(reverse(name, args=[job.pk])).status_code == 404
    for name in (
        "exchange:import_apply",
        "exchange:import_discard",
        "exchange:import_requeue",
        "exchange:import_cancel",
    ):
        assert c.post(reverse(name, args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY


def test_the_status_answers_its_owner_with_progress(
    as_user, lead, base_files, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job = import_job_create(
            user=lead, files={n: u for n, u in zip(base_files, _uploads(base_files), strict=True)}
        )
    job_progress_record(job, done=30, total=120, message="checking")
    response = as_user(lead).get(reverse("exchange:import_status", args=[job.pk]))
    assert response.status_code == 200
    assert response.json() == {
        "status": "queued",
        "label": "Waiting to be checked",
        "in_progress": True,
        "phase": "checking",
        "done": 30,
        "total": 120,
        "percent": 25,
        # The shape every job's status shares (practices.progress).
        "state": "waiting",
        "message": "checking",
        "value": 30,
        "max": 120,
        "finished": False,
        "failed": False,
    }
    page = as_user(lead).get(reverse("exchange:import_job", args=[job.pk])).content.decode()
    assert f'data-job-status-url="{reverse("exchange:import_status", args=[job.pk])}"' in page
    assert "js/job-progress.js" in page


@pytest.mark.parametrize("who", ["clp_a", "manager_a", "admin_user", "other_lead"])
def test_the_status_answers_nobody_but_its_owner(
    request, as_user, lead, who, base_files, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job = import_job_create(
            user=lead, files={n: u for n, u in zip(base_files, _uploads(base_files), strict=True)}
        )
    c = as_user(request.getfixturevalue(who))
    assert c.get(reverse("exchange:import_status", args=[job.pk])).status_code == 404


def test_the_status_sends_signed_out_visitors_to_sign_in(
    client, lead, base_files, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job = import_job_create(user=lead, files={"practices.csv": _uploads(base_files)[0]})
    response = client.get(reverse("exchange:import_status", args=[job.pk]))
    assert response.status_code == 302


def test_a_checked_import_can_be_discarded_and_its_files_go(as_user, post, lead, base_files):
    c = as_user(lead)
    post(c, reverse("exchange:import"), {"programme_files": _uploads(base_files)})
    job = ImportJob.objects.get()
    assert _stored_files()
    response = c.post(reverse("exchange:import_discard", args=[job.pk]), follow=True)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DISCARDED
    assert "discarded" in response.content.decode()
    assert _stored_files() == []
    assert c.post(reverse("exchange:import_apply", args=[job.pk])).status_code == 302
    assert not Participant.objects.exists()


def test_the_upload_page_lists_only_my_own_imports(as_user, lead, other_lead, base_files):
    as_user(other_lead).post(reverse("exchange:import"), {"programme_files": _uploads(base_files)})
    page = as_user(lead).get(reverse("exchange:import")).content.decode()
    assert "Your recent imports" not in page


def test_the_nav_offers_import_to_leads_and_export_to_administrators(
    as_user, lead, admin_user, clp_a
):
    lead_page = as_user(lead).get(reverse("home")).content.decode()
    assert "Import data" in lead_page and "Export data" not in lead_page
    admin_page = as_user(admin_user).get(reverse("home")).content.decode()
    assert "Import data" in admin_page and "Export data" in admin_page
    clp_page = as_user(clp_a).get(reverse("home")).content.decode()
    assert "Import data" not in clp_page and "Export data" not in clp_page


# Export


def test_an_administrator_downloads_every_file_as_a_zip_and_it_is_audited(
    as_user, admin_user, programme
):
    c = as_user(admin_user)
    assert "Download the files" in c.get(reverse("exchange:export")).content.decode()

    response = c.post(reverse("exchange:export"), REMOTE_ADDR="10.9.8.7")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="links-programme-data-')
    assert response["Cache-Control"] == "no-store, private"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.namelist() == [
        "practices.csv",
        "staff.csv",
        "resources.csv",
        "participants.csv",
        "consultations.csv",
        "referrals.csv",
        "assessments.csv",
        "staff_survey.csv",
    ]
    assert b"P2001" in archive.read("participants.csv")
    summary = AuditEvent.objects.get(action=Action.EXPORT, object_type="")
    assert (summary.user, summary.ip_address) == (admin_user, "10.9.8.7")
    assert AuditEvent.objects.filter(action=Action.EXPORT, participant_ref="P2001").exists()


@pytest.mark.parametrize("who", ["lead", "clp_a", "manager_a"])
def test_nobody_but_an_administrator_may_export(request, as_user, who, programme):
    c = as_user(request.getfixturevalue(who))
    assert c.get(reverse("exchange:export")).status_code == 403
    assert c.post(reverse("exchange:export")).status_code == 403
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_opening_the_export_page_exports_nothing(as_user, admin_user, programme):
    as_user(admin_user).get(reverse("exchange:export"))
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_administrators_can_look_at_imports_in_administration(
    as_user, admin_user, lead, post, base_files
):
    post(as_user(lead), reverse("exchange:import"), {"programme_files": _uploads(base_files)})
    c = as_user(admin_user)
    assert c.get(reverse("admin:exchange_importjob_changelist")).status_code == 200
    job = ImportJob.objects.get()
    page = c.get(reverse("admin:exchange_importjob_change", args=[job.pk])).content.decode()
    assert "Morven" not in page
