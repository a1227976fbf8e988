"""Citizen accounts: registration with e-mail confirmation, password reset, lost links.

A citizen is an ``org.User`` without a Staff record; the e-mail address is the
user name. Mails leave through the transactional outbox like every other mail.
Answers never reveal whether an address is registered (no account enumeration).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.core.mail import make_msgid
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from buergerticket.cases.models import Case
from buergerticket.notify.outbox import enqueue
from buergerticket.org.models import Organisation, User
from buergerticket.portal import tracking


class ConfirmationTokenGenerator(PasswordResetTokenGenerator):
    """Valid until the account is activated (the active flag is part of the hash)."""

    key_salt = "buergerticket.portal.confirm-email"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return f"{user.pk}{user.password}{user.is_active}{user.email}{timestamp}"


confirmation_tokens = ConfirmationTokenGenerator()


def _queue(
    organisation: Organisation, to: str, subject: str, template: str, context: dict[str, Any]
) -> None:
    domain = organisation.mailbox.rpartition("@")[2] or "buergerticket.invalid"
    body = render_to_string(template, {"organisation": organisation, **context}).strip() + "\n"
    enqueue(
        organisation=organisation,
        kind="mail",
        dedupe_key=f"portal:{uuid.uuid4()}",
        payload={
            "to": to,
            "from": organisation.mailbox or settings.DEFAULT_FROM_EMAIL,
            "reply_to": organisation.mailbox,
            "subject": subject,
            "body": body,
            "message_id": make_msgid(domain=domain),
            "in_reply_to": "",
            "references": [],
            "message": None,
        },
    )


def _user_link(organisation: Organisation, name: str, user: User, token: str) -> str:
    path = reverse(
        name,
        kwargs={
            "org": organisation.slug,
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": token,
        },
    )
    return settings.PUBLIC_BASE_URL + path


def find_user(email: str) -> User | None:
    return User.objects.filter(username=email.strip().lower(), staff__isnull=True).first()


def register(
    organisation: Organisation,
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    language: str,
) -> None:
    email = email.strip().lower()
    with transaction.atomic():
        existing = User.objects.filter(username=email).first()
        if existing is not None:
            # Tell the owner of the address, not the visitor, that an account exists.
            if existing.is_active and not hasattr(existing, "staff"):
                _queue(
                    organisation,
                    email,
                    _("Sie haben bereits ein Konto"),
                    "portal/mail/already_registered.txt",
                    {
                        "login_url": settings.PUBLIC_BASE_URL
                        + reverse("portal:login", args=[organisation.slug]),
                        "reset_url": settings.PUBLIC_BASE_URL
                        + reverse("portal:password_reset", args=[organisation.slug]),
                    },
                )
            elif not existing.is_active and not hasattr(existing, "staff"):
                send_confirmation(organisation, existing)
            return
        user = User(
            username=email,
            email=email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            is_active=False,
            language=language[:5],
        )
        user.set_password(password)
        user.save()
        send_confirmation(organisation, user)


def send_confirmation(organisation: Organisation, user: User) -> None:
    link = _user_link(organisation, "portal:confirm", user, confirmation_tokens.make_token(user))
    _queue(
        organisation,
        user.email,
        _("Bitte bestätigen Sie Ihre E-Mail-Adresse"),
        "portal/mail/confirm.txt",
        {"user": user, "link": link},
    )


def send_password_reset(organisation: Organisation, email: str) -> None:
    user = find_user(email)
    if user is None or not user.is_active:
        return
    link = _user_link(
        organisation,
        "portal:password_reset_confirm",
        user,
        default_token_generator.make_token(user),
    )
    _queue(
        organisation,
        user.email,
        _("Neues Passwort für Ihr Konto"),
        "portal/mail/password_reset.txt",
        {"user": user, "link": link},
    )


def send_new_tracking_link(organisation: Organisation, file_number: str, email: str) -> None:
    """A requester who lost their link gets a fresh one, if the address matches the case."""
    email = email.strip().lower()
    case = (
        Case.objects.select_related("organisation", "service")
        .filter(organisation=organisation, file_number=file_number.strip(), requester_email=email)
        .first()
    )
    if case is None or not email:
        return
    with transaction.atomic():
        link = tracking.requester_link(case, "lost_link")
        _queue(
            organisation,
            email,
            f"[{case.file_number}] " + _("Ihr Link zum Anliegen"),
            "portal/mail/new_link.txt",
            {"case": case, "link": link},
        )
