from django.urls import path

from buergerticket.automation.views import contracts, overview, rules

app_name = "automation"
urlpatterns = [
    path("", overview.overview, name="overview"),
    path("regeln/neu/", rules.edit_rule, name="rule_new"),
    path("regeln/<int:pk>/", rules.edit_rule, name="rule_edit"),
    path("regeln/<int:pk>/loeschen/", rules.delete_rule, name="rule_delete"),
    path("regeln/<int:pk>/<str:direction>/", overview.move_rule, name="rule_move"),
    path("leistungen/<int:pk>/schalten/", overview.toggle_service, name="service_toggle"),
    path("zuordnung/schalten/", overview.toggle_router, name="router_toggle"),
    path("zuordnung/trainieren/", overview.request_training, name="router_train"),
    path("probelauf/", rules.dry_run_page, name="dry_run"),
    path("vorlagen/neu/", rules.edit_template, name="template_new"),
    path("vorlagen/<int:pk>/", rules.edit_template, name="template_edit"),
    path("vorgaenge/<int:pk>/abschlag/", contracts.change_for_case, name="case_installment"),
    path("vertraege/", contracts.contract_list, name="contracts"),
    path("vertraege/<str:number>/", contracts.contract_detail, name="contract_detail"),
    path(
        "vertraege/<str:number>/konten/<int:user_id>/entfernen/",
        contracts.unlink,
        name="contract_unlink",
    ),
]
