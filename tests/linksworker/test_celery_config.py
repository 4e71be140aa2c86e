from django.conf import settings

from linksworker.celery import app


def test_every_scheduled_job_names_a_task_the_workers_know():
    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, f"beat entry {name!r} names an unknown task"


def test_retries_end_well_inside_the_brokers_visibility_timeout():
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert visibility > settings.CELERY_TASK_TIME_LIMIT
