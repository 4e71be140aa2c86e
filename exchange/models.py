from django.conf import settings
from django.db import models

from practices.progress import BackgroundJob, JobState


class ImportJob(BackgroundJob, models.Model):
    """Files uploaded by a programme lead: checked (with a preview of what would change),
    then applied on request. The files carry identifiable data, so they are kept only while
    the job may still be applied; the preview and problems never carry any."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be checked"
        CHECKING = "checking", "Checking the files"
        READY = "ready", "Checked: ready to apply"
        INVALID = "invalid", "Problems found: nothing was imported"
        APPLYING = "applying", "Applying"
        DONE = "done", "Imported"
        DISCARDED = "discarded", "Discarded: nothing was imported"
        FAILED = "failed", "Stopped by an unexpected error: nothing was imported"

    # Work is under way in these; the page shows progress and polls.
    IN_PROGRESS = (Status.QUEUED, Status.CHECKING, Status.APPLYING)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows = models.PositiveIntegerField("data rows uploaded", default=0)
    preview = models.JSONField(
        default=dict, blank=True, help_text="Per file: rows new, changed and unchanged."
    )
    problems = models.JSONField(default=list, blank=True)
    problem_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Its task could not be queued (the broker was out of reach); the sweep queues it again.
    not_queued = models.BooleanField(default=False)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "created_at"])]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.status})"

    @property
    def in_progress(self) -> bool:
        return self.status in self.IN_PROGRESS

    @property
    def job_state(self) -> JobState:
        # Checked, refused or discarded, the work is over as surely as when imported: only
        # an error stops it short.
        states: dict[str, JobState] = {
            self.Status.QUEUED: JobState.WAITING,
            self.Status.CHECKING: JobState.RUNNING,
            self.Status.APPLYING: JobState.RUNNING,
            self.Status.FAILED: JobState.FAILED,
        }
        return states.get(self.status, JobState.DONE)

    @property
    def job_label(self) -> str:
        if self.not_queued and self.in_progress:
            return "Waiting: the work could not be queued, and will be queued again shortly"
        return self.get_status_display()


def _upload_to(instance: "ImportFile", filename: str) -> str:
    return f"imports/{instance.job_id}/{instance.name}"


class ImportFile(models.Model):
    """One uploaded programme file, kept through the storage API so any worker can read it."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=40)
    file = models.FileField(upload_to=_upload_to, max_length=255)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["job", "name"], name="importfile_one_per_name")
        ]

    def __str__(self) -> str:
        return self.name
