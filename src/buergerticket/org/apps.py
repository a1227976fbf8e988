from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "buergerticket.org"
    label = "org"
    verbose_name = "Organisation"
