"""A CLP downloads a participant's FHIR record and the letter to their GP from the
participant's page."""

import io
import json
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle
from pypdf import PdfReader

from interchange.fhir import CHI_SYSTEM
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import TEST_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_clp_downloads_the_bundle_and_the_letter_from_the_participant_page(
    page, clp_a, participant_a
):
    sign_in(page, "clp_a", TEST_PASSWORD)
    page.goto(f"/participants/{participant_a.ref}/")
    page.get_by_role("heading", name="Alice Anderson").wait_for()
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="FHIR record (JSON)").click()
    bundle = json.loads(Path(download.value.path()).read_text())
    Bundle.model_validate(bundle)
    patient = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    )
    assert patient["identifier"] == [{"system": CHI_SYSTEM, "value": participant_a.chi}]

    with page.expect_download() as download:
        page.get_by_role("link", name="Letter to GP (PDF)").click()
    reader = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert len(reader.pages) == 1
    assert "Alice Anderson" in " ".join(reader.pages[0].extract_text().split())

    page.set_viewport_size({"width": 390, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_practice_manager_sees_no_download_buttons(page, manager_a, participant_a):
    sign_in(page, "manager_a", TEST_PASSWORD)
    page.goto(f"/participants/{participant_a.ref}/")
    page.get_by_role("heading", name="Alice Anderson").wait_for()

    assert page.get_by_role("link", name="FHIR record (JSON)").count() == 0
    assert page.get_by_role("link", name="Letter to GP (PDF)").count() == 0
