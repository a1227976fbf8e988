"""The NinjaAPI instance: routers, authentication, error handlers, OpenAPI document."""

from __future__ import annotations

from ninja import NinjaAPI

from buergerticket.api.rest import case_writes, cases, catalog, errors, webhooks
from buergerticket.api.rest.auth import TokenAuth

DESCRIPTION = """\
Schnittstelle von Bürgerticket für Fachverfahren, Apps und Rechenzentren.

Authentifizierung: `Authorization: Bearer <Token>` eines API-Clients
(`buergerticket api-client create`). Jeder Client gehört zu einer Organisation,
hat Berechtigungen (scopes) und ist optional auf Fachbereiche beschränkt.
Fehler sind JSON-Objekte mit `code`, `message` und `errors`.
Änderungen an Status und Zuständigkeit verlangen `If-Match` mit dem ETag des Vorgangs.
"""

api = NinjaAPI(
    title="Bürgerticket API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    # The bundled Swagger UI is replaced by our own server-rendered reference
    # page (docs.py): no third-party script, strict CSP, accessible.
    docs_url=None,
    auth=TokenAuth(),
)
errors.install(api)
# case_writes adds its operations to cases.router; importing it is what registers them.
assert case_writes.router is cases.router
api.add_router("", cases.router)
api.add_router("", catalog.router)
api.add_router("", webhooks.router)
