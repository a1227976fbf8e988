from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "buergerticket.portal"
    label = "portal"
    verbose_name = "Bürgerportal"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from buergerticket.cases.history import subscribe
        from buergerticket.core import jobs
        from buergerticket.notify import mail
        from buergerticket.portal import forms, search, tracking
        from buergerticket.portal.views import staff
        from buergerticket.workspace import timeline
        from buergerticket.workspace.views.cases import register_panel

        # The receipt's tracking link is stored in the transaction that opens the case.
        subscribe(tracking.on_event)
        mail.register_requester_link(tracking.requester_link)
        search.register_provider(search.service_provider)
        register_panel(staff.panel)
        timeline.register(
            "tracking_links_revoked",
            lambda d: (
                str(_("Private Links zum Bürgerpostfach gesperrt (%(count)s)"))
                % {"count": d.get("count", 0)}
            ),
        )
        jobs.register("portal.purge_pending_uploads", every_seconds=3600)(
            forms.purge_pending_uploads
        )
