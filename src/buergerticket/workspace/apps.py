from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    name = "buergerticket.workspace"
    label = "workspace"
    verbose_name = "Bearbeitungsoberfläche"

    def ready(self) -> None:
        from buergerticket.workspace import nav

        nav.register(
            _("Meine Vorgänge"),
            "workspace:my_cases",
            order=10,
            roles=("sachbearbeitung", "leitung"),
        )
        nav.register(
            _("Fachbereich"), "workspace:queue", order=20, roles=("sachbearbeitung", "leitung")
        )
        nav.register(_("Eskalationen"), "workspace:escalations", order=30, roles=("leitung",))
        nav.register(_("Telefonnotiz"), "workspace:phone_note", order=40)
        nav.register(_("Abwesenheiten"), "workspace:absences", order=50)
        nav.register(_("Verwaltung"), "workspace:config", order=90, roles=("administration",))
