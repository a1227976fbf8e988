from django.urls import path

from buergerticket.records.views import case, disposal, privacy, search

app_name = "records"
urlpatterns = [
    path("", search.search_view, name="search"),
    path("vorgaenge/<int:pk>/sperre/", case.legal_hold, name="legal_hold"),
    path("vorgaenge/<int:pk>/archivpaket/", case.export, name="case_export"),
    path("aussonderung/", disposal.overview, name="disposal"),
    path("aussonderung/ermitteln/", disposal.plan, name="disposal_plan"),
    path("aussonderung/<int:pk>/", disposal.run_detail, name="disposal_run"),
    path("aussonderung/<int:pk>/entscheiden/", disposal.decide, name="disposal_decide"),
    path("aussonderung/<int:pk>/eintrag/<int:item_id>/", disposal.exclude, name="disposal_exclude"),
    path("datenschutz/", privacy.overview, name="privacy"),
    path("datenschutz/anfrage/", privacy.act, name="privacy_act"),
    path("datenschutz/einstellungen/", privacy.settings_view, name="privacy_settings"),
    path("zugriffsprotokoll/", privacy.read_log, name="read_log"),
]
