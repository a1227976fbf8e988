from django.apps import AppConfig


class ProcessesConfig(AppConfig):
    name = "buergerticket.processes"
    label = "processes"
    verbose_name = "Prozesse"
