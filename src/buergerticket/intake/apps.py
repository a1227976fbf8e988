from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "buergerticket.intake"
    label = "intake"
    verbose_name = "Eingang"
