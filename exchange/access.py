"""Who may bring programme data in and take it out, and whose imports they see, built on
the roles primitive (`practices.roles`)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from exchange.models import ImportJob
from practices.roles import AnyUser, roles_of


def can_import_programme_data(user: AnyUser) -> bool:
    return roles_of(user).imports_programme_data


def can_export_programme_data(user: AnyUser) -> bool:
    return roles_of(user).exports_programme_data


def import_jobs_visible_to(user: AnyUser) -> QuerySet[ImportJob]:
    """A person's own imports: an upload holds identifiable data, so nobody else's."""
    if not can_import_programme_data(user) or not isinstance(user, User):
        return ImportJob.objects.none()
    return ImportJob.objects.filter(created_by=user)


def get_import_job_for(user: AnyUser, pk: int) -> ImportJob:
    """Load one import through the user's scope; anything else is a 404."""
    try:
        return import_jobs_visible_to(user).get(pk=pk)
    except ImportJob.DoesNotExist:
        raise Http404("No such import.") from None
