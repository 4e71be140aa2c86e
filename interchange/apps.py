from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    name = "interchange"
    verbose_name = "Interchange: coded events, FHIR records, Open Referral UK"
