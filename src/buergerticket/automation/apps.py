from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationConfig(AppConfig):
    name = "buergerticket.automation"
    label = "automation"
    verbose_name = "Automatisierung"

    def ready(self) -> None:
        from buergerticket.automation.models.router import RouterModel
        from buergerticket.automation.models.rules import AutomationSettings, Rule
        from buergerticket.core.memo import invalidate_on

        invalidate_on(RouterModel, Rule, AutomationSettings)
        from buergerticket.automation import intake, jobs, timeline
        from buergerticket.automation.contracts import csv_export  # noqa: F401 - registers "csv"
        from buergerticket.automation.contracts import services as contract_services
        from buergerticket.automation.panels import automation_panel
        from buergerticket.workspace import nav
        from buergerticket.workspace.views.cases import register_panel

        intake.connect()
        contract_services.connect()
        timeline.connect()
        jobs.connect()
        register_panel(automation_panel)
        nav.register(
            _("Automatisierung"), "automation:overview", order=80, roles=("administration",)
        )
