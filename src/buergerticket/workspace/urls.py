from django.urls import include, path

from buergerticket.workspace.config import views as config
from buergerticket.workspace.views import absences, actions, auth, cases, intake

app_name = "workspace"
urlpatterns = [
    path("", cases.home, name="home"),
    path("anmelden/", auth.LoginView.as_view(), name="login"),
    path("abmelden/", auth.LogoutView.as_view(), name="logout"),
    path("vorgaenge/", cases.my_cases, name="my_cases"),
    path("fachbereich/", cases.queue, name="queue"),
    path("fachbereich/<str:code>/", cases.queue, name="queue_department"),
    path("eskalationen/", cases.escalations, name="escalations"),
    path("vorgaenge/<int:pk>/", cases.case_detail, name="case_detail"),
    path(
        "vorgaenge/<int:pk>/dokumente/<int:document_id>/",
        cases.document_download,
        name="document_download",
    ),
    path("vorgaenge/<int:pk>/antwort/", actions.reply, name="case_reply"),
    path("vorgaenge/<int:pk>/vermerk/", actions.note, name="case_note"),
    path("vorgaenge/<int:pk>/status/", actions.status, name="case_status"),
    path("vorgaenge/<int:pk>/zuweisen/", actions.reassign, name="case_reassign"),
    path("vorgaenge/<int:pk>/abgabe/", actions.hand_over, name="case_hand_over"),
    path("vorgaenge/<int:pk>/wiedervorlage/", actions.follow_up, name="case_follow_up"),
    path("vorgaenge/<int:pk>/prioritaet/", actions.priority, name="case_priority"),
    path("vorgaenge/<int:pk>/frist/", actions.deadline, name="case_deadline"),
    path("vorgaenge/<int:pk>/wiederaufnahme/", actions.reopen, name="case_reopen"),
    path("telefonnotiz/", intake.phone_note, name="phone_note"),
    path("abwesenheiten/", absences.absences, name="absences"),
    path("abwesenheiten/<int:pk>/beenden/", absences.cancel_absence, name="absence_cancel"),
    path("verwaltung/", config.overview, name="config"),
    path("verwaltung/organisation/", config.organisation, name="config_organisation"),
    path("verwaltung/<slug:section>/", config.section_list, name="config_section"),
    path("verwaltung/<slug:section>/neu/", config.section_edit, name="config_create"),
    path("verwaltung/<slug:section>/<int:pk>/", config.section_edit, name="config_edit"),
    path("steuerung/", include("buergerticket.workspace.dashboard.urls")),
]
