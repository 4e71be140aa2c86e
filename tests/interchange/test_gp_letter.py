import io

import pytest
from pypdf import PdfReader

from audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db


def test_it_is_a_one_page_pdf_in_plain_words(as_user, clp_a, full_record):
    response = as_user(clp_a).get(f"/records/{full_record.ref}/letter.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Alice Anderson" in text
    assert full_record.chi in text
    assert "Where I referred Alice" in text
    assert "HADS anxiety" in text
    assert "Alice private note" not in text


def test_every_letter_is_audited(as_user, clp_a, full_record):
    as_user(clp_a).get(f"/records/{full_record.ref}/letter.pdf")

    assert AuditEvent.objects.filter(
        action=Action.EXPORT, participant_ref=full_record.ref, detail="GP letter"
    ).exists()
