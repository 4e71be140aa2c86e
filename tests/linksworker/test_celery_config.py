from django.conf import settings

from linksworker.celery import app


def test_every_scheduled_job_names_a_task_the_workers_know():
    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, f"beat entry {name!r} names an unknown task"


def test_retries_end_well_inside_the_brokers_visibility_timeout():
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert visibility > settings.CELERY_TASK_TIME_LIMIT


def test_the_sweeps_of_dead_and_unqueued_jobs_run_every_minute():
    """A job whose worker died is failed, and one the broker could not take is queued again,
    within minutes, not at a daily purge."""
    app.loader.import_default_modules()
    swept = {
        entry["task"]: entry["schedule"]
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] in ("exchange.tasks.sweep_imports", "reports.tasks.sweep_annual_reports")
    }
    assert len(swept) == 2
    for schedule in swept.values():
        assert schedule.minute == set(range(60))
