"""The access primitive (`practices.roles`): who each member of the standing cast is, and
what each role gate lets through. Scoped querysets built on it are tested beside their
data (`tests/participants/test_access.py`, `tests/referrals/test_access.py`, the exchange
view tests)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory

from practices import roles
from practices.roles import roles_of

CAST = ["clp_a", "manager_a", "lead", "admin_user"]

# role → (caseload, programme, practice dashboard, directory, maintains directory,
#         imports, exports)
EXPECTED = {
    "clp_a": (True, False, False, True, True, False, False),
    "manager_a": (True, False, True, True, False, False, False),
    "lead": (False, True, False, True, True, True, False),
    "admin_user": (True, True, True, True, True, True, True),
}


@pytest.mark.parametrize("who", CAST)
def test_each_role_has_exactly_its_own_powers(db, request, who):
    r = roles_of(request.getfixturevalue(who))
    assert (
        r.sees_caseload,
        r.sees_programme,
        r.sees_practice_dashboard,
        r.sees_directory,
        r.maintains_directory,
        r.imports_programme_data,
        r.exports_programme_data,
    ) == EXPECTED[who]


def test_a_signed_out_visitor_has_no_role():
    r = roles_of(AnonymousUser())
    assert not (r.sees_caseload or r.sees_programme or r.sees_directory)
    assert r.label == "No role"


def test_an_inactive_account_has_no_role(clp_a):
    clp_a.is_active = False
    assert roles_of(clp_a).practice_ids == frozenset()


GATES = {
    "caseload_required": {"clp_a", "manager_a", "admin_user"},
    "clp_required": {"clp_a"},
    "programme_required": {"lead", "admin_user"},
    "manager_required": {"manager_a", "admin_user"},
    "administrator_required": {"admin_user"},
    "directory_required": {"clp_a", "manager_a", "lead", "admin_user"},
    "maintainer_required": {"clp_a", "lead", "admin_user"},
}


@pytest.mark.parametrize("gate", sorted(GATES))
@pytest.mark.parametrize("who", CAST)
def test_each_gate_lets_through_only_its_roles(db, request, gate, who):
    view = getattr(roles, gate)(lambda request: HttpResponse("in"))
    http_request = RequestFactory().get("/")
    http_request.user = request.getfixturevalue(who)
    if who in GATES[gate]:
        assert view(http_request).status_code == 200
    else:
        with pytest.raises(PermissionDenied):
            view(http_request)


def test_a_gate_sends_a_signed_out_visitor_to_sign_in():
    view = roles.clp_required(lambda request: HttpResponse("in"))
    http_request = RequestFactory().get("/")
    http_request.user = AnonymousUser()
    assert view(http_request).status_code == 302


def test_the_written_out_current_roles_agree_with_the_current_attachments(db, practice_a):
    """`current_roles_of` (every page's roles, written out in SQL) against the queryset
    rule `current()`: started today or before, not ended before today."""
    from datetime import timedelta

    from django.utils import timezone

    from practices.models import Attachment, StaffRole
    from tests.factories import PracticeFactory, UserFactory

    today = timezone.localdate()
    user = UserFactory(username="many_roles")
    spans = [
        (today - timedelta(days=10), None),  # current, open
        (today, None),  # starts today
        (today + timedelta(days=1), None),  # not yet
        (today - timedelta(days=10), today),  # ends today: still current
        (today - timedelta(days=10), today - timedelta(days=1)),  # ended yesterday
        (today - timedelta(days=10), today + timedelta(days=5)),  # ends later
    ]
    for index, (started, ended) in enumerate(spans):
        Attachment.objects.create(
            user=user,
            practice=PracticeFactory(code=f"9{index:04d}"),
            role=StaffRole.CLP if index % 2 else StaffRole.PRACTICE_MANAGER,
            started_on=started,
            ended_on=ended,
        )
    expected = sorted(
        Attachment.objects.current().filter(user=user).values_list("practice_id", "role")
    )
    assert len(expected) == 4
    assert sorted(Attachment.objects.current_roles_of(user.pk)) == expected
    roles = roles_of(user)
    assert roles.clp_practice_ids | roles.manager_practice_ids == {p for p, _ in expected}
