"""Celery tasks for follow-ups (`practices.jobs`): ids in, one service call each, safe to run
twice."""

from participants.followups import (
    followup_reminders_send,
    followups_refresh_participant,
    followups_run,
)
from practices.jobs import job_task


@job_task(name="participants.tasks.schedule_followups")
def schedule_followups() -> dict:
    summary = followups_run()
    return summary.__dict__


@job_task(name="participants.tasks.refresh_participant_followups")
def refresh_participant_followups(participant_id: int) -> None:
    followups_refresh_participant(participant_id=participant_id)


@job_task(name="participants.tasks.send_followup_reminders")
def send_followup_reminders() -> int:
    return followup_reminders_send()
