"""The date range every app's records share (`practices.rules`) holds for practices and
staff attachments too."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from practices.models import Attachment, Practice


@pytest.mark.parametrize("day", [date(1, 1, 1), date(9999, 12, 31)])
def test_a_practice_cannot_join_or_leave_on_an_implausible_date(db, day):
    practice = Practice(name="Test Practice", code="99999", health_board="fife", joined_on=day)
    with pytest.raises(ValidationError) as raised:
        practice.full_clean()
    assert "joined_on" in raised.value.message_dict

    practice.joined_on, practice.left_on = date(2020, 1, 1), day
    with pytest.raises(ValidationError) as raised:
        practice.full_clean()
    assert "left_on" in raised.value.message_dict


def test_a_staff_attachment_cannot_start_on_an_implausible_date(clp_a, practice_a):
    attachment = Attachment(user=clp_a, practice=practice_a, role="clp", started_on=date(1, 1, 1))
    with pytest.raises(ValidationError) as raised:
        attachment.full_clean(validate_unique=False)
    assert "started_on" in raised.value.message_dict
