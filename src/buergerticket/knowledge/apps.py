from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "buergerticket.knowledge"
    label = "knowledge"
    verbose_name = "Wissensdatenbank"
