"""A programme lead brings programme data in through the browser: uploads a small set of
files, sees what would change, applies it and sees it done; and the progress bar follows a
long check and gives way to the preview when it ends. Each page passes an automated
accessibility check."""

import pytest

from exchange.models import ImportJob
from participants.models import Participant
from practices.progress import job_progress_record
from tests.browser.conftest import assert_accessible, sign_in
from tests.exchange.conftest import BASE_FILES, set_cell
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def programme_lead(db):
    return UserFactory(username="morag.lead", full_name="Morag Stewart", is_programme_lead=True)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _files(tmp_path, files: dict[str, str]) -> list[str]:
    folder = tmp_path / "upload"
    folder.mkdir(exist_ok=True)
    paths = []
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
        paths.append(str(folder / name))
    return paths


def test_a_programme_lead_uploads_files_sees_the_preview_and_applies_them(
    page, programme_lead, tmp_path
):
    sign_in(page, "morag.lead", TEST_PASSWORD)
    menu = page.get_by_role("button", name="Programme")
    if menu.count():  # the link sits in the Programme menu when there is one
        menu.click()
    page.get_by_role("link", name="Import data").click()
    page.get_by_role("heading", name="Import programme data").wait_for()
    assert_accessible(page)

    # A file with a problem first: every problem is listed and nothing is imported.
    broken = set_cell(dict(BASE_FILES), "participants.csv", 3, "sex", "m")
    page.get_by_label("Programme files").set_input_files(_files(tmp_path, broken))
    page.get_by_role("button", name="Upload and check").click()
    page.get_by_role("heading", name="1 problem to fix").wait_for()
    assert page.get_by_text(
        "participants.csv:3: sex: must be one of: female, male, other, not_known"
    ).is_visible()
    assert page.get_by_role("button", name="Apply these changes").count() == 0
    assert_accessible(page)

    page.get_by_role("link", name="Upload corrected files").click()
    page.get_by_label("Programme files").set_input_files(_files(tmp_path, BASE_FILES))
    page.get_by_role("button", name="Upload and check").click()
    page.get_by_role("heading", name="What would change").wait_for()
    row = page.get_by_role("row", name="participants.csv")
    assert row.get_by_role("cell").all_inner_texts() == ["2", "0", "0"]
    assert not Participant.objects.exists()
    assert_accessible(page)

    page.get_by_role("button", name="Apply these changes").click()
    page.get_by_role("heading", name="What changed").wait_for()
    assert page.get_by_text("Imported on").is_visible()
    assert Participant.objects.count() == 2
    assert_accessible(page)


def test_the_progress_bar_follows_the_check_and_the_preview_replaces_it(page, programme_lead):
    job = ImportJob.objects.create(created_by=programme_lead, status=ImportJob.Status.CHECKING)
    job_progress_record(job, done=5000, total=20000, message="Reading the files")
    sign_in(page, "morag.lead", TEST_PASSWORD)

    page.goto(f"/data/import/{job.pk}/")
    progress = page.get_by_role("progressbar", name="Progress of the import")
    progress.wait_for()
    assert page.get_by_role("status").inner_text() == "Checking the files: 25%"
    assert_accessible(page)

    job_progress_record(job, done=15000, total=20000, message="Reading the files")
    page.get_by_text("Checking the files: 70%").wait_for()
    assert progress.get_attribute("value") == "15000"

    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.READY,
        rows=20000,
        preview=[{"file": "participants.csv", "new": 20000, "changed": 0, "unchanged": 0}],
    )
    page.get_by_role("heading", name="What would change").wait_for()
    assert page.get_by_role("progressbar").count() == 0
    assert_accessible(page)
