from celery import shared_task

from reports.figures import practice_figures_compact
from reports.services import annual_report_failed, annual_report_render


@shared_task(
    bind=True,
    name="reports.tasks.render_annual_report",
    acks_late=True,
    max_retries=3,
    soft_time_limit=10 * 60,
    time_limit=11 * 60,
)
def render_annual_report(self, report_id: int) -> None:
    """Idempotent (a finished report is left alone), so it can be acknowledged late and
    retried: 30 s, 60 s, 120 s apart, far inside the broker's visibility timeout."""
    try:
        annual_report_render(report_id=report_id)
    except Exception as error:
        # In-process (no broker) there is no worker to retry later: fail once and say why.
        final = self.request.is_eager or self.request.retries >= self.max_retries
        annual_report_failed(report_id=report_id, error=error, final=final)
        if final:
            return
        raise self.retry(exc=error, countdown=30 * 2**self.request.retries) from error


@shared_task(
    name="reports.tasks.compact_practice_figures",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=30,
    max_retries=3,
)
def compact_practice_figures() -> int:
    """Safe to run twice or side by side: folding rows never changes a total."""
    return practice_figures_compact()
