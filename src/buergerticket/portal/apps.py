from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "buergerticket.portal"
    label = "portal"
    verbose_name = "Bürgerportal"
