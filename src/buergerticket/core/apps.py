from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "buergerticket.core"
    label = "core"
    verbose_name = "Grundlagen"
