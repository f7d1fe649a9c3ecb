from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisciplineConfig(AppConfig):
    name = "discipline"
    verbose_name = _("Discipline")

    def ready(self):
        # Connects the security log's signal receivers.
        from discipline import security  # noqa: F401
