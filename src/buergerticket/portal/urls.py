"""Portal URLs: the staff mailbox actions under /arbeitsplatz/postfach/, then the
citizen pages under /<org-slug>/ (which come last in the root URLconf)."""

from django.urls import path

from buergerticket.portal.views import account, catalog, mailbox, staff

app_name = "portal"
urlpatterns = [
    # Staff side (workspace case panel); the root URLconf tries these after the workspace.
    path("arbeitsplatz/postfach/<int:pk>/dokument/", staff.upload, name="staff_upload"),
    path(
        "arbeitsplatz/postfach/<int:pk>/dokument/<int:document_id>/veroeffentlichen/",
        staff.publish,
        name="staff_publish",
    ),
    path(
        "arbeitsplatz/postfach/<int:pk>/nachricht/<int:message_id>/freigeben/",
        staff.share,
        name="staff_share",
    ),
    path("arbeitsplatz/postfach/<int:pk>/antwort/", staff.reply, name="staff_reply"),
    path("arbeitsplatz/postfach/<int:pk>/links-sperren/", staff.revoke_links, name="staff_revoke"),
    # Citizens.
    path("<slug:org>/", catalog.catalog, name="catalog"),
    path("<slug:org>/intern/", catalog.internal, name="internal"),
    path("<slug:org>/leistungen/<slug:code>/", catalog.service, name="service"),
    path("<slug:org>/eingangsbestaetigung/", catalog.receipt, name="receipt"),
    path("<slug:org>/impressum/", catalog.legal, {"kind": "impressum"}, name="imprint"),
    path("<slug:org>/datenschutz/", catalog.legal, {"kind": "datenschutz"}, name="privacy"),
    path(
        "<slug:org>/barrierefreiheit/",
        catalog.legal,
        {"kind": "barrierefreiheit"},
        name="accessibility",
    ),
    path("<slug:org>/verfolgen/<str:token>/", mailbox.track, name="track"),
    path("<slug:org>/anliegen/", mailbox.my_cases, name="my_cases"),
    path("<slug:org>/anliegen/vergessen/", mailbox.forget, name="forget"),
    path("<slug:org>/anliegen/<int:pk>/", mailbox.case_page, name="case"),
    path("<slug:org>/anliegen/<int:pk>/antworten/", mailbox.reply, name="reply"),
    path(
        "<slug:org>/anliegen/<int:pk>/dokumente/<int:document_id>/",
        mailbox.document,
        name="document",
    ),
    path("<slug:org>/anliegen/<int:pk>/links-sperren/", mailbox.revoke, name="revoke"),
    path("<slug:org>/link-anfordern/", account.lost_link, name="lost_link"),
    path("<slug:org>/konto/registrieren/", account.register, name="register"),
    path("<slug:org>/konto/bestaetigen/<str:uidb64>/<str:token>/", account.confirm, name="confirm"),
    path("<slug:org>/konto/anmelden/", account.login, name="login"),
    path("<slug:org>/konto/abmelden/", account.logout, name="logout"),
    path("<slug:org>/konto/passwort/", account.password_reset, name="password_reset"),
    path(
        "<slug:org>/konto/passwort/<str:uidb64>/<str:token>/",
        account.password_reset_confirm,
        name="password_reset_confirm",
    ),
]
