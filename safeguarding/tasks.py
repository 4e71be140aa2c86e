"""Celery tasks for safeguarding (`practices.jobs`): ids in, one service call, safe twice."""

from practices.jobs import job_task
from safeguarding.jobs import concern_notify_leads


@job_task(name="safeguarding.tasks.notify_leads")
def notify_leads(concern_id: int) -> int:
    return concern_notify_leads(concern_id=concern_id)
