from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "buergerticket.records"
    label = "records"
    verbose_name = _("Archiv und Schriftgut")

    def ready(self) -> None:
        from buergerticket.cases import history
        from buergerticket.cases.signals import case_read
        from buergerticket.core import jobs
        from buergerticket.records import jobs as record_jobs
        from buergerticket.records.search.indexer import on_case_write
        from buergerticket.records.services.readlog import record_read
        from buergerticket.records.views.case import case_panel
        from buergerticket.workspace import nav, timeline
        from buergerticket.workspace.views.cases import register_panel

        history.subscribe_write(on_case_write)
        case_read.connect(record_read, dispatch_uid="records.read_log")
        for name, every, func in record_jobs.SCHEDULE:
            jobs.register(name, every_seconds=every)(func)

        register_panel(case_panel)
        timeline.register(
            "anonymised",
            lambda d: str(_("Personenbezogene Daten entfernt (Anonymisierung)")),
        )
        timeline.register("legal_hold_set", lambda d: str(_("Aufbewahrungssperre gesetzt")))
        timeline.register("legal_hold_released", lambda d: str(_("Aufbewahrungssperre aufgehoben")))
        nav.register(
            _("Suche und Archiv"),
            "records:search",
            order=35,
            roles=("sachbearbeitung", "leitung"),
        )
        nav.register(_("Aussonderung"), "records:disposal", order=80, roles=("administration",))
        nav.register(
            _("Datenschutz"),
            "records:privacy",
            order=85,
            roles=("datenschutz", "administration"),
        )
        nav.register(_("Zugriffsprotokoll"), "records:read_log", order=86, roles=("datenschutz",))
