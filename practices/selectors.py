from django.db.models import Count, Q
from django.utils import timezone

from linksworker.policy import practice_ids_in_aggregate_scope, practices_visible_to
from practices.models import Practice, StaffRole
from reports.figures import practice_totals


def practices_with_figures(*, user) -> list[Practice]:
    """Practices in the user's scope, each with aggregate figures only (no participant rows):
    current CLPs, and open and all cases from the running counts (`reports.figures`), so the
    cost follows the number of practices, not of participants. Two queries."""
    today = timezone.localdate()
    current = Q(attachments__started_on__lte=today) & (
        Q(attachments__ended_on__isnull=True) | Q(attachments__ended_on__gte=today)
    )
    practices = list(
        practices_visible_to(user)
        .annotate(
            clps=Count(
                "attachments__user",
                filter=current & Q(attachments__role=StaffRole.CLP),
                distinct=True,
            ),
        )
        .order_by("name")
    )
    totals = practice_totals(practice_ids=practice_ids_in_aggregate_scope(user))
    for p in practices:
        figures = totals.get(p.pk, {})
        p.open_cases = figures.get("cases_open", 0)
        p.total_cases = p.open_cases + figures.get("cases_closed", 0)
    return practices
