from django.conf import settings
from django.db import models

from practices.progress import BackgroundJob, JobState


class ReportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Rendering"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


# A render is under way or waiting in these; the page shows progress and polls.
IN_PROGRESS = (ReportStatus.QUEUED, ReportStatus.RUNNING)


class AnnualReport(BackgroundJob, models.Model):
    """A year's programme review, rendered to PDF by a Celery task and kept through Django's
    storage API. Earlier reports stay downloadable. How far a render has got is recorded as
    every job's is (`practices.progress`)."""

    year = models.PositiveSmallIntegerField()
    status = models.CharField(
        max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    error = models.TextField(blank=True)
    pdf = models.FileField(upload_to="reports/", blank=True)
    statistics = models.JSONField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    # When the row last changed: with the heartbeat, what says whether a render is alive.
    updated_at = models.DateTimeField(auto_now=True)
    # Its render could not be queued (the broker was out of reach); the sweep queues it again.
    not_queued = models.BooleanField(default=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"Annual report {self.year} ({self.get_status_display()})"

    @property
    def job_state(self) -> JobState:
        states: dict[str, JobState] = {
            ReportStatus.QUEUED: JobState.WAITING,
            ReportStatus.RUNNING: JobState.RUNNING,
            ReportStatus.DONE: JobState.DONE,
        }
        return states.get(self.status, JobState.FAILED)

    @property
    def in_progress(self) -> bool:
        return self.status in IN_PROGRESS

    @property
    def job_label(self) -> str:
        if self.not_queued and self.in_progress:
            return "Not started yet: it could not be queued, and will be queued again shortly"
        return self.get_status_display()

    @property
    def job_message(self) -> str:
        return self.error if self.status == ReportStatus.FAILED else ""


class PracticeFigure(models.Model):
    """Running counts behind the dashboards, per practice, kept by the database itself.

    Triggers on participants, consultations, referrals and follow-ups (migration 0003) add a
    row of +1 or -1 for every change that moves a figure, so bulk paths (the CSV import, the
    daily follow-up job, the volume generator) cannot skip them, and a dashboard sums a few
    rows per practice and month instead of scanning every record: at 50,000 participants
    the programme dashboard's scans took 80 ms (bench/NOTES.md). Rows are only ever
    inserted, so concurrent writers never wait on one another; `practice_figures_compact`
    (every ten minutes) folds each group's rows into one.

    `figure` names what is counted: cases_<status>, follow_ups_<status> (for all time, so no
    month), consultations_attended, consultations_dna, referrals_made, referrals_engaged (in
    the calendar month of the consultation's or referral's date). A figure belongs to the
    participant's current practice: when a participant moves, their counts move with them.
    """

    practice = models.ForeignKey(
        "practices.Practice", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.DateField(null=True, blank=True, help_text="First day; none for all time.")
    figure = models.CharField(max_length=40)
    count = models.IntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["practice", "month", "figure"]),
            # The programme's figures, all practices: the window's months and the all-time
            # rows, from the index alone (bench/NOTES.md).
            models.Index(
                fields=["month", "figure"],
                include=["practice", "count"],
                name="practicefigure_month_figures",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.figure} {self.month or 'all time'}: {self.count:+d}"
