from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "buergerticket.intake"
    label = "intake"
    verbose_name = "Eingang"

    def ready(self) -> None:
        from buergerticket.core.memo import invalidate_on
        from buergerticket.intake.models import Mailbox

        invalidate_on(Mailbox)
        from buergerticket.cases.history import subscribe
        from buergerticket.core import jobs
        from buergerticket.intake import panels, routing
        from buergerticket.intake.mail import receipts, watch
        from buergerticket.intake.pipeline import register_preprocessor
        from buergerticket.workspace import nav
        from buergerticket.workspace.views.cases import register_panel

        register_preprocessor(routing.route_by_keywords, order=routing.ORDER)
        jobs.register("intake.fetch_mail", every_seconds=5)(watch.fetch_due)
        jobs.register("intake.mail_retention", every_seconds=3600)(receipts.purge_expired)
        subscribe(receipts.forget_case)
        nav.register(_("E-Mail-Eingang"), "intake:overview", order=70, roles=("administration",))
        panels.register_timeline()
        register_panel(panels.mail_panel)
