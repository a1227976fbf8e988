"""Connecting and logging in to a shared mailbox (TLS, STARTTLS; password or OAuth2)."""

from __future__ import annotations

import contextlib
import ssl

from django.conf import settings
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from buergerticket.intake.models import AuthMethod, Mailbox, Security

from . import oauth, secrets

TIMEOUT = 60


class FetchError(Exception):
    """Reading the mailbox failed; the message is German and shown to administrators."""


def _ssl_context() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=settings.MAIL_CA_FILE or None)


def connect(mailbox: Mailbox) -> IMAPClient:
    """Connected and logged in; raises :class:`FetchError` with a German reason."""
    try:
        if mailbox.security == Security.TLS:
            client = IMAPClient(
                mailbox.host,
                port=mailbox.port,
                ssl=True,
                ssl_context=_ssl_context(),
                timeout=TIMEOUT,
            )
        else:
            client = IMAPClient(mailbox.host, port=mailbox.port, ssl=False, timeout=TIMEOUT)
            if mailbox.security == Security.STARTTLS:
                client.starttls(_ssl_context())
    except ssl.SSLError as exc:
        raise FetchError(
            f"TLS-Verbindung zu {mailbox.host} fehlgeschlagen: {exc.reason or exc}"
        ) from None
    except (OSError, IMAPClientError) as exc:
        raise FetchError(f"Keine Verbindung zu {mailbox.host}:{mailbox.port}: {exc}") from None
    client.normalise_times = False
    try:
        _login(client, mailbox)
    except BaseException:
        close(client)
        raise
    return client


def _login(client: IMAPClient, mailbox: Mailbox) -> None:
    try:
        if mailbox.auth == AuthMethod.OAUTH2:
            try:
                client.oauth2_login(
                    mailbox.username, oauth.access_token(mailbox, ssl_context=_ssl_context())
                )
            except IMAPClientError:
                # A revoked or expired token: fetch a fresh one once.
                oauth.forget(mailbox)
                client.oauth2_login(
                    mailbox.username, oauth.access_token(mailbox, ssl_context=_ssl_context())
                )
        else:
            client.login(mailbox.username, secrets.reveal(mailbox.secret))
    except (oauth.OAuthError, secrets.SecretError) as exc:
        raise FetchError(str(exc)) from None
    except IMAPClientError as exc:
        raise FetchError(f"Anmeldung als {mailbox.username} abgelehnt: {exc}") from None
    except OSError as exc:
        raise FetchError(f"Verbindung während der Anmeldung abgebrochen: {exc}") from None


def close(client: IMAPClient) -> None:
    try:
        client.logout()
    except Exception:
        # The connection may already be gone; then only the socket is left to close.
        with contextlib.suppress(Exception):
            client.shutdown()
