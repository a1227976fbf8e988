from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "buergerticket.catalog"
    label = "catalog"
    verbose_name = "Leistungskatalog"
