from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "buergerticket.org"
    label = "org"
    verbose_name = "Organisation"

    def ready(self) -> None:
        from buergerticket.core.memo import invalidate_on
        from buergerticket.org.models import Department, Organisation, Staff

        invalidate_on(Organisation, Department, Staff)
