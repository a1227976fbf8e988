from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "buergerticket.notify"
    label = "notify"
    verbose_name = "Benachrichtigungen"

    def ready(self) -> None:
        from buergerticket.core import jobs
        from buergerticket.notify import mail, outbox

        mail.connect()
        jobs.register("notify.deliver", every_seconds=2)(outbox.deliver_due)
