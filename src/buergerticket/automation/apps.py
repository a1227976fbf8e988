from django.apps import AppConfig


class AutomationConfig(AppConfig):
    name = "buergerticket.automation"
    label = "automation"
    verbose_name = "Automatisierung"
