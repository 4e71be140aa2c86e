"""The programme's starting list of needs; programme leads can edit it afterwards."""

from django.db import migrations

DEFAULT_NEEDS = [
    ("Long-term condition", "physical"),
    ("Pain", "physical"),
    ("Weight and diet", "physical"),
    ("Physical inactivity", "physical"),
    ("Anxiety or depression", "mental"),
    ("Stress", "mental"),
    ("Bereavement", "mental"),
    ("Addiction", "mental"),
    ("Social isolation", "social"),
    ("Money and debt", "social"),
    ("Benefits", "social"),
    ("Housing", "social"),
    ("Employment", "social"),
    ("Caring responsibilities", "social"),
    ("Family and relationships", "social"),
    ("Food", "social"),
    ("Fuel", "social"),
    ("Legal", "social"),
    ("Digital exclusion", "social"),
    ("Domestic abuse", "social"),
]


def add_needs(apps, schema_editor):
    Need = apps.get_model("participants", "Need")
    for name, domain in DEFAULT_NEEDS:
        Need.objects.get_or_create(name=name, defaults={"domain": domain})


class Migration(migrations.Migration):
    dependencies = [("participants", "0002_need_simdpostcode_consultation_goal_progress_and_more")]

    operations = [migrations.RunPython(add_needs, migrations.RunPython.noop)]
