"""The social prescribing codes the PRSB Social Prescribing Information Standard and NHS
England ask GP records to carry. Only codes confirmed in published material are seeded;
administrators add others in Django admin as they are confirmed. Events without a code are
exported uncoded, with their text."""

from django.db import migrations

PRSB = (
    "PRSB Social Prescribing Information Standard v1.1 (January 2023), "
    "https://theprsb.org/standards/social-prescribing-standard/; the national social "
    "prescribing codes recommended by NHS England"
)

CODES = [
    # Source: PRSB Social Prescribing Information Standard (above); the code NHS England
    # recommends for a referral into a social prescribing service.
    ("871731000000106", "Referral to social prescribing service", "programme_referral", PRSB),
    # Source: as above; recorded when the person says they do not wish to use the service.
    ("871711000000103", "Social prescribing declined", "declined", PRSB),
]


def seed(apps, schema_editor):
    SnomedCode = apps.get_model("interchange", "SnomedCode")
    for code, term, event, source in CODES:
        SnomedCode.objects.update_or_create(
            event=event, defaults={"code": code, "preferred_term": term, "source": source}
        )


def unseed(apps, schema_editor):
    SnomedCode = apps.get_model("interchange", "SnomedCode")
    SnomedCode.objects.filter(code__in=[code for code, *_ in CODES]).delete()


class Migration(migrations.Migration):
    dependencies = [("interchange", "0001_snomed_codes")]

    operations = [migrations.RunPython(seed, unseed)]
