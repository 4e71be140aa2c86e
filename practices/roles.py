"""The access primitive: who a user is in the programme (`Roles`, `roles_of`) and the role
gates that let whole screens through. Scoped querysets for each kind of data are built on
this in the `access.py` beside that data's models (`practices.access`,
`participants.access`, `safeguarding.access`, `referrals.access`, `exchange.access`).

- CLPs work with the participants of the practices they are attached to as CLP, with notes.
- Practice managers see their practice's caseload, without free-text notes or goals.
- Programme leads see aggregates only: no participant rows at all.
- Administrators (superusers) see everything.

A gate answers a plain 403 for a whole screen a role never has; a single record outside a
user's scope is simply absent from the scoped querysets, so it answers 404.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from accounts.models import User
from practices.models import Attachment, StaffRole

View = TypeVar("View", bound=Callable[..., HttpResponseBase])
AnyUser = User | AbstractBaseUser | AnonymousUser


@dataclass(frozen=True)
class Roles:
    clp_practice_ids: frozenset[int]
    manager_practice_ids: frozenset[int]
    programme_lead: bool
    administrator: bool

    @property
    def is_clp(self) -> bool:
        return bool(self.clp_practice_ids)

    @property
    def is_practice_manager(self) -> bool:
        return bool(self.manager_practice_ids)

    @property
    def practice_ids(self) -> frozenset[int]:
        return self.clp_practice_ids | self.manager_practice_ids

    @property
    def sees_caseload(self) -> bool:
        return self.administrator or bool(self.practice_ids)

    @property
    def sees_programme(self) -> bool:
        return self.administrator or self.programme_lead

    @property
    def sees_practice_dashboard(self) -> bool:
        return self.is_practice_manager or self.administrator

    @property
    def sees_directory(self) -> bool:
        """The directory of community resources is for anyone with a role in the programme."""
        return self.sees_caseload or self.sees_programme

    @property
    def maintains_directory(self) -> bool:
        """CLPs and programme leads keep the directory up to date."""
        return self.is_clp or self.sees_programme

    @property
    def imports_programme_data(self) -> bool:
        """Programme leads and administrators bring programme data in. The upload shows them
        counts and problems only, never the people in the files."""
        return self.sees_programme

    @property
    def exports_programme_data(self) -> bool:
        """Exports carry names, CHI numbers and dates of birth: administrators only."""
        return self.administrator

    @property
    def label(self) -> str:
        if self.administrator:
            return "Administrator"
        if self.programme_lead:
            return "Programme lead"
        if self.is_clp:
            return "CLP"
        if self.is_practice_manager:
            return "Practice manager"
        return "No role"


NO_ROLES = Roles(frozenset(), frozenset(), False, False)


def roles_of(user: AnyUser | None) -> Roles:
    """The user's roles, read once per request and kept on the user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_ROLES
    cached: Roles | None = getattr(user, "_links_roles", None)
    if cached is not None:
        return cached
    clp: set[int] = set()
    manager: set[int] = set()
    for practice_id, role in Attachment.objects.current_roles_of(user.pk):
        (clp if role == StaffRole.CLP else manager).add(practice_id)
    roles = Roles(
        clp_practice_ids=frozenset(clp),
        manager_practice_ids=frozenset(manager),
        programme_lead=getattr(user, "is_programme_lead", False),
        administrator=getattr(user, "is_superuser", False),
    )
    user._links_roles = roles  # type: ignore[attr-defined]
    return roles


def role_required(predicate: Callable[[Roles], bool]) -> Callable[[View], View]:
    """Let a signed-in user through when `predicate(roles)` holds; others get a plain 403.

    Used for whole screens (a role's dashboard); single records are scoped by the access
    modules' querysets instead, and answer 404."""

    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not predicate(roles_of(request.user)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


caseload_required = role_required(lambda roles: roles.sees_caseload)
clp_required = role_required(lambda roles: roles.is_clp)
programme_required = role_required(lambda roles: roles.sees_programme)
manager_required = role_required(lambda roles: roles.sees_practice_dashboard)
administrator_required = role_required(lambda roles: roles.administrator)
directory_required = role_required(lambda roles: roles.sees_directory)
maintainer_required = role_required(lambda roles: roles.maintains_directory)
