"""Fixtures of the e-mail channel tests: delivering raw mail, real mail servers."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.intake import servers

# aiosmtpd logs disconnects from its own thread, sometimes after pytest closed the
# captured streams; its INFO lines are of no use in tests.
logging.getLogger("mail.log").setLevel(logging.WARNING)


@pytest.fixture
def deliver(musterstadt) -> Callable[..., object]:
    """``deliver(raw, org="musterstadt")`` → Outcome, through the channel's one entry."""
    from buergerticket.intake.mail.ingest import Delivery, ingest
    from buergerticket.org.models import Organisation

    def run(raw: bytes, org: str = "musterstadt", **delivery: object) -> object:
        organisation = Organisation.objects.get(slug=org)
        return ingest(
            raw,
            organisation=organisation,
            delivery=Delivery(kind="file", **delivery),  # type: ignore[arg-type]
        )

    return run


@pytest.fixture
def emailed_case(deliver):
    """A case opened by mail from Jürgen Müller (requester juergen@example.org)."""
    from tests.intake import mails

    def make(**kwargs: object):
        outcome = deliver(mails.message(**kwargs))  # type: ignore[arg-type]
        assert outcome.result == "created", outcome.as_dict()
        return outcome.case

    return make


@pytest.fixture(scope="session")
def oauth_server() -> Iterator[servers.OAuthServer]:
    server = servers.OAuthServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def dovecot(oauth_server) -> Iterator[servers.Dovecot]:
    from tests.conftest import require_tool

    require_tool(servers.DOVECOT, "Dovecot")
    if os.geteuid() != 0:
        # The Maildirs belong to "nobody" (Dovecot refuses mail access as root);
        # preparing them needs root, as in CI (.ci/run).
        from tests.conftest import REQUIRE_ALL

        if REQUIRE_ALL:
            pytest.fail("Die Dovecot-Tests brauchen root (wie .ci/run).")
        pytest.skip("Die Dovecot-Tests brauchen root.")
    # Not under pytest's 0700 temp root: Dovecot's own users must reach the files.
    root = Path(tempfile.mkdtemp(prefix="bt-dovecot-"))
    server = servers.Dovecot(root, oauth_url=oauth_server.url)
    server.start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def smtp_server() -> Iterator[servers.SmtpCapture]:
    server = servers.SmtpCapture()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_settings(settings, smtp_server):
    """Outgoing mail really goes over SMTP to the capture server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    return smtp_server
