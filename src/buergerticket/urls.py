"""Root URLs. The portal's ``/<org-slug>/`` comes last: every other prefix is reserved
(``org.models.RESERVED_SLUGS``) so no organisation can shadow it."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from buergerticket.core.views import home


def healthz(request: HttpRequest) -> HttpResponse:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("arbeitsplatz/eingang/", include("buergerticket.intake.urls")),
    path("arbeitsplatz/prozesse/", include("buergerticket.processes.urls")),
    path("arbeitsplatz/automatisierung/", include("buergerticket.automation.urls")),
    path("arbeitsplatz/archiv/", include("buergerticket.records.urls")),
    path("arbeitsplatz/wissen/", include("buergerticket.knowledge.urls")),
    path("arbeitsplatz/", include("buergerticket.workspace.urls")),
    path("", include("buergerticket.api.urls")),
    path("", include("buergerticket.knowledge.public_urls")),
    path("", include("buergerticket.portal.urls")),
]
