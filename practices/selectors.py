from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from linksworker.policy import practices_visible_to
from practices.models import Practice, StaffRole


def practices_with_figures(*, user) -> QuerySet[Practice]:
    """Practices in the user's scope, each with aggregate figures only (no participant rows)."""
    today = timezone.localdate()
    current = Q(attachments__started_on__lte=today) & (
        Q(attachments__ended_on__isnull=True) | Q(attachments__ended_on__gte=today)
    )
    return (
        practices_visible_to(user)
        .annotate(
            open_cases=Count("participants", filter=Q(participants__status="open"), distinct=True),
            total_cases=Count("participants", distinct=True),
            clps=Count(
                "attachments__user",
                filter=current & Q(attachments__role=StaffRole.CLP),
                distinct=True,
            ),
        )
        .order_by("name")
    )
