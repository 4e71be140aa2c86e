"""Celery tasks for reports (`practices.jobs`): ids in, one service call each."""

from practices.jobs import job_requeue, job_task
from reports.figures import practice_figures_compact, practice_figures_repair
from reports.jobs import annual_report_fail, annual_report_render, annual_reports_sweep


@job_task(
    name="reports.tasks.render_annual_report",
    on_give_up=annual_report_fail,
    # Retried 30 s, 60 s and 120 s apart at most; a render of a year's figures fits well
    # inside the time limits.
    max_retries=3,
    soft_time_limit=10 * 60,
    time_limit=11 * 60,
)
def render_annual_report(report_id: int) -> None:
    annual_report_render(report_id=report_id)


@job_task(name="reports.tasks.compact_practice_figures", max_retries=3)
def compact_practice_figures() -> int:
    """Safe to run twice or side by side: folding rows never changes a total."""
    return practice_figures_compact()


@job_task(name="reports.tasks.sweep_annual_reports", max_retries=0)
def sweep_annual_reports() -> dict[str, int]:
    """Every minute: fail dead renders, queue again the ones the broker could not take."""
    return annual_reports_sweep(requeue=lambda pk: job_requeue(render_annual_report, pk))


@job_task(name="reports.tasks.repair_practice_figures", max_retries=3)
def repair_practice_figures() -> int:
    """Nightly: check the running counts against the records and repair any drift."""
    return practice_figures_repair()
