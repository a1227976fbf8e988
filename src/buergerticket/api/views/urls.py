from django.urls import path

from buergerticket.api.views import admin

app_name = "apiadmin"
urlpatterns = [
    path("clients/", admin.client_list, name="clients"),
    path("clients/<int:pk>/sperren/", admin.client_revoke, name="client_revoke"),
    path("webhooks/", admin.webhook_list, name="webhooks"),
    path("webhooks/<int:pk>/", admin.webhook_detail, name="webhook_detail"),
    path("webhooks/<int:pk>/umschalten/", admin.webhook_toggle, name="webhook_toggle"),
    path("webhooks/<int:pk>/loeschen/", admin.webhook_delete, name="webhook_delete"),
    path(
        "webhooks/<int:pk>/zustellungen/<int:delivery_id>/wiederholen/",
        admin.delivery_retry,
        name="delivery_retry",
    ),
]
