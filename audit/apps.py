from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        # Django announces sign-ins only through signals: connecting the receivers is the
        # one reason this import runs at start-up rather than at the top of a module.
        from audit import receivers  # noqa: F401
