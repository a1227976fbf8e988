from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "buergerticket.api"
    label = "api"
    verbose_name = "Schnittstellen"
