"""Mailbox passwords and OAuth2 client secrets, never stored in clear.

A stored value is one of

* ``env:NAME`` – read from the environment variable NAME when needed (for
  operators who keep secrets in a vault, systemd credentials or Kubernetes);
* ``fernet:TOKEN`` – encrypted with a key from ``BUERGERTICKET_SECRETS_KEYS``
  (Fernet: AES-128-CBC with HMAC-SHA256). The first key encrypts, every key
  decrypts, so keys can be rotated; a database dump alone reveals nothing.
"""

from __future__ import annotations

import os
import re

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]{0,99}$")


class SecretError(Exception):
    """A secret cannot be stored or read; the message is German."""


def generate_key() -> str:
    return Fernet.generate_key().decode()


def _fernet() -> MultiFernet:
    keys = list(settings.SECRETS_KEYS)
    if not keys:
        raise SecretError(
            "Zum verschlüsselten Speichern fehlt BUERGERTICKET_SECRETS_KEYS "
            "(erzeugen mit „buergerticket mail generate-key“). Alternativ das Passwort "
            "in einer Umgebungsvariable ablegen."
        )
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except (ValueError, TypeError):
        raise SecretError(
            "BUERGERTICKET_SECRETS_KEYS enthält einen ungültigen Schlüssel."
        ) from None


def can_encrypt() -> bool:
    try:
        _fernet()
    except SecretError:
        return False
    return True


def encrypt(secret: str) -> str:
    if not secret:
        raise SecretError("Das Passwort ist leer.")
    return "fernet:" + _fernet().encrypt(secret.encode()).decode()


def env_reference(name: str) -> str:
    name = name.strip()
    if not _ENV_NAME.match(name):
        raise SecretError(
            "Der Name der Umgebungsvariable darf nur Großbuchstaben, Ziffern und _ enthalten."
        )
    return f"env:{name}"


def reveal(stored: str) -> str:
    """The secret in clear, for the moment of logging in."""
    if stored.startswith("env:"):
        name = stored[4:]
        value = os.environ.get(name)
        if not value:
            raise SecretError(f"Die Umgebungsvariable {name} ist nicht gesetzt.")
        return value
    if stored.startswith("fernet:"):
        try:
            return _fernet().decrypt(stored[7:].encode()).decode()
        except InvalidToken:
            raise SecretError(
                "Das gespeicherte Passwort lässt sich mit keinem Schlüssel aus "
                "BUERGERTICKET_SECRETS_KEYS entschlüsseln."
            ) from None
    if not stored:
        raise SecretError("Für dieses Postfach ist kein Passwort hinterlegt.")
    raise SecretError("Das gespeicherte Passwort hat ein unbekanntes Format.")


def describe(stored: str) -> str:
    """How the secret is kept, for the administration page (never the secret)."""
    if stored.startswith("env:"):
        return f"aus Umgebungsvariable {stored[4:]}"
    if stored.startswith("fernet:"):
        return "verschlüsselt gespeichert"
    return "nicht hinterlegt"


def rotate(stored: str) -> str:
    """Re-encrypt with the newest key (after adding a key in front)."""
    if stored.startswith("fernet:"):
        try:
            return "fernet:" + _fernet().rotate(stored[7:].encode()).decode()
        except InvalidToken:
            raise SecretError(
                "Ein gespeichertes Passwort lässt sich mit keinem Schlüssel aus "
                "BUERGERTICKET_SECRETS_KEYS entschlüsseln; der alte Schlüssel fehlt."
            ) from None
    return stored
