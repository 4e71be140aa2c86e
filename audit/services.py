from collections.abc import Iterable

from django.conf import settings
from django.db import connection, models
from django.http import HttpRequest

from accounts.models import User
from audit.models import Action, AuditEvent
from audit.net import client_ip

DETAIL_LENGTH = AuditEvent._meta.get_field("detail").max_length or 255


def audit_record(
    *,
    request: HttpRequest | None,
    action: str,
    user: User | None = None,
    obj: models.Model | None = None,
    participant_ref: str = "",
    detail: str = "",
) -> AuditEvent:
    """Write one audit event. `detail` names fields or counts, never patient data values."""
    if user is None and request is not None and isinstance(request.user, User):
        user = request.user
    if obj is not None and not participant_ref:
        participant_ref = getattr(obj, "audit_participant_ref", "") or ""
    event = AuditEvent(
        user=user if user is not None and user.pk else None,
        username=user.get_username() if user is not None else "",
        action=action,
        object_type=(obj._meta.model_name or "") if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        participant_ref=participant_ref,
        ip_address=(client_ip(request) or None) if request is not None else None,
        detail=detail[:DETAIL_LENGTH],
    )
    if action == Action.VIEW and _commits_without_waiting():
        # A view on its own: its own transaction, committed without the disk's flush (a
        # page's largest fixed cost; bench/NOTES.md). Never inside a caller's transaction,
        # where the setting would reach the caller's writes too.
        _insert_without_waiting(event)
        return event
    event.save(force_insert=True)
    return event


def _insert_without_waiting(event: AuditEvent) -> None:
    """The setting and the insert in one round trip, written out: the ORM's insert cost
    more to build than to run, on every page that shows a participant (bench/NOTES.md).
    Sent with autocommit on and no BEGIN: PostgreSQL runs a query string of several
    statements as one transaction of its own, so SET LOCAL holds for the insert and ends
    with its commit, without the two round trips of BEGIN and COMMIT."""
    meta = AuditEvent._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            "SET LOCAL synchronous_commit TO OFF; "  # noqa: S608 (our own table and columns)
            f"INSERT INTO {quote(meta.db_table)} ({columns}) "
            f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {quote(str(meta.pk.column))}",
            [field.get_db_prep_save(field.pre_save(event, True), connection) for field in fields],
        )
        event.pk = cursor.fetchone()[0]
    event._state.adding = False
    event._state.db = connection.alias


def _commits_without_waiting() -> bool:
    return (
        not settings.AUDIT_VIEWS_WAIT_FOR_DISK
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
        # Autocommit switched off by hand is a caller's transaction too.
        and connection.get_autocommit()
    )


def audit_list_view(*, request: HttpRequest, page: str, refs: Iterable[str]) -> AuditEvent | None:
    """One event for a list page, naming the participants it showed by their opaque refs (as
    many as the detail column holds, then how many more): a list of names is a read of each
    person on it. The caller passes refs already loaded for the page, so this is one insert
    whatever the number of rows. A page that showed nobody reads no one's record."""
    shown = list(dict.fromkeys(ref for ref in refs if ref))
    if not shown:
        return None
    detail = f"{page}: {len(shown)} shown:"
    for index, ref in enumerate(shown):
        more = f" +{len(shown) - index} more"
        # Room for this ref, and for saying how many follow when it is not the last.
        room_needed = len(ref) + 1 + (len(more) if index < len(shown) - 1 else 0)
        if len(detail) + room_needed > DETAIL_LENGTH:
            detail += more
            break
        detail += f" {ref}"
    return audit_record(
        request=request,
        action=Action.VIEW,
        participant_ref=shown[0] if len(shown) == 1 else "",
        detail=detail,
    )
