from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "buergerticket.catalog"
    label = "catalog"
    verbose_name = "Leistungskatalog"

    def ready(self) -> None:
        from buergerticket.catalog.models import FilePlanEntry, Service
        from buergerticket.core.memo import invalidate_on

        invalidate_on(Service, FilePlanEntry)
