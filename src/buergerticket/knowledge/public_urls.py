"""Public FAQ pages, included under ``<org-slug>/hilfe/`` before the portal."""

from django.urls import path

from buergerticket.knowledge.views import public

app_name = "faq"
urlpatterns = [
    path("<slug:org_slug>/hilfe/", public.faq, name="index"),
    path("<slug:org_slug>/hilfe/<slug:slug>/", public.faq_article, name="article"),
]
