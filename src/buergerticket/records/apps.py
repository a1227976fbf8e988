from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "buergerticket.records"
    label = "records"
    verbose_name = "Archiv und Schriftgut"
