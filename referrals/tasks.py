"""Celery tasks for referrals (`practices.jobs`): one service call each, safe to run twice."""

from practices.jobs import job_task
from referrals.services import feedback_reminders_send


@job_task(name="referrals.tasks.send_feedback_reminders")
def send_feedback_reminders() -> int:
    return feedback_reminders_send()
