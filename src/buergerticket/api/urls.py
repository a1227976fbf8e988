"""URLs of the api app: REST API, its reference page, Open311 and the administrators' pages.

No ``app_name`` here: django-ninja reverses its own namespace (``api-v1``) from
the root, so each part brings its own namespace instead.
"""

from django.urls import include, path

from buergerticket.api.rest.api import api
from buergerticket.api.rest.docs import reference

urlpatterns = [
    path("api/v1/docs", reference, name="api_docs"),
    path("api/v1/", api.urls),
    path("open311/", include("buergerticket.api.open311.urls")),
    path("arbeitsplatz/schnittstellen/", include("buergerticket.api.views.urls")),
]
