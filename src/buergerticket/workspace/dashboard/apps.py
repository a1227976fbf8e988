from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "buergerticket.workspace.dashboard"
    label = "dashboard"
    verbose_name = "Verwaltungssteuerung"

    def ready(self) -> None:
        from buergerticket.cases.history import subscribe_write
        from buergerticket.workspace import nav
        from buergerticket.workspace.dashboard import projection

        subscribe_write(projection.on_write)
        nav.register(
            _("Steuerung"),
            "workspace:dashboard:index",
            order=60,
            roles=("leitung", "administration"),
        )
