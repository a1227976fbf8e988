from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "buergerticket.api"
    label = "api"
    verbose_name = "Schnittstellen"

    def ready(self) -> None:
        from buergerticket.api import intake
        from buergerticket.api.models import Webhook
        from buergerticket.api.webhooks import dispatch
        from buergerticket.cases.history import subscribe, subscribe_write
        from buergerticket.core.memo import invalidate_on
        from buergerticket.notify.outbox import register_handler
        from buergerticket.workspace import nav

        invalidate_on(Webhook)
        subscribe(intake.on_event)
        subscribe_write(dispatch.on_write)
        register_handler(
            dispatch.KIND, dispatch.deliver, on_final_failure=dispatch.on_final_failure
        )
        nav.register(_("API-Clients"), "apiadmin:clients", order=80, roles=("administration",))
        nav.register(_("Webhooks"), "apiadmin:webhooks", order=81, roles=("administration",))
