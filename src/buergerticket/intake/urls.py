from django.urls import path

from buergerticket.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("postfaecher/neu/", views.mailbox_edit, name="mailbox_new"),
    path("postfaecher/<int:pk>/", views.mailbox_edit, name="mailbox_edit"),
    path("postfaecher/<int:pk>/testen/", views.mailbox_check, name="mailbox_check"),
    path("postfaecher/<int:pk>/abrufen/", views.mailbox_fetch, name="mailbox_fetch"),
    path("quarantaene/", views.quarantine, name="quarantine"),
    path("protokoll/", views.log, name="log"),
    path("nachrichten/<int:pk>/", views.receipt_detail, name="receipt"),
    path("nachrichten/<int:pk>/original/", views.receipt_raw, name="receipt_raw"),
    path("nachrichten/<int:pk>/erneut/", views.receipt_retry, name="receipt_retry"),
    path("nachrichten/<int:pk>/verwerfen/", views.receipt_discard, name="receipt_discard"),
    path("unzustellbar/", views.bounced, name="bounced"),
    path("unzustellbar/freigeben/", views.bounced_clear, name="bounced_clear"),
]
