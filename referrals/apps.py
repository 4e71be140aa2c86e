from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Community resources and referrals"

    def ready(self) -> None:
        from referrals import log_redaction

        log_redaction.install()
