"""Celery tasks: thin wrappers that take ids, call one service, and can run twice safely
(so they acknowledge late and retry with backoff, well inside the broker's visibility
timeout)."""

from celery import shared_task

from participants.followups import (
    followup_reminders_send,
    followups_refresh_participant,
    followups_run,
)

RETRY = {
    "autoretry_for": (Exception,),
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
    "acks_late": True,
}


@shared_task(name="participants.tasks.schedule_followups", **RETRY)
def schedule_followups() -> dict:
    summary = followups_run()
    return summary.__dict__


@shared_task(name="participants.tasks.refresh_participant_followups", **RETRY)
def refresh_participant_followups(participant_id: int) -> None:
    followups_refresh_participant(participant_id=participant_id)


@shared_task(name="participants.tasks.send_followup_reminders", **RETRY)
def send_followup_reminders() -> int:
    return followup_reminders_send()
