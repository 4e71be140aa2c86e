"""The programme's starting list of resource categories; programme leads extend it later."""

from django.db import migrations

DEFAULT_CATEGORIES = [
    "Physical activity",
    "Mental wellbeing",
    "Money advice",
    "Housing",
    "Employment and learning",
    "Social groups",
    "Carers",
    "Food",
    "Addiction recovery",
    "Arts and creativity",
    "Volunteering",
    "Legal",
    "Other",
]


def add_categories(apps, schema_editor):
    Category = apps.get_model("referrals", "Category")
    for position, name in enumerate(DEFAULT_CATEGORIES, start=1):
        Category.objects.get_or_create(name=name, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]

    operations = [migrations.RunPython(add_categories, migrations.RunPython.noop)]
