"""Property-based fuzzing of the REST API against its own OpenAPI document (Schemathesis).

Every generated request, valid or deliberately invalid, must get an answer
that the document describes: no 5xx, documented status codes and content types,
bodies that match the declared schemas.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

application = get_wsgi_application()
# 400 answers requests that break the document; a request that matches it may still be
# refused for what it means: 404 (not there or not visible), 412/428 (ETag), 422 (a rule
# of the case, an unknown service or cursor). Those are not schema violations.
# U+0000 is refused explicitly with a 400 (PostgreSQL cannot store it; see
# test_nul_characters_are_refused_as_bad_input), so generated text leaves it out.
config = SchemathesisConfig.from_dict(
    {
        "generation": {"allow-x00": False},
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", "401", "403", "404", "412", "422", "428", "429"]
            }
        },
    }
)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=config)


@pytest.fixture
def keep_connection():
    """Django's own test client does this: calling the WSGI app directly would close the
    test's database connection (and its transaction) at the end of every request."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(make_client, open_case, keep_connection):
    # Something to find: a case in the client's organisation, so not every id is a 404.
    open_case()
    return make_client()


@pytest.mark.slow
@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_openapi_document(case, token):
    case.call_and_validate(app=application, headers={"Authorization": f"Bearer {token}"})
