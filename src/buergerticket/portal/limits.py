"""Rate limits of the public portal (per client address and per account), in the shared cache."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

from buergerticket.core import ratelimit

HOUR = 3600


def _account(request: HttpRequest) -> str:
    return str(request.user.pk) if request.user.is_authenticated else ""


def spend(request: HttpRequest, scope: str, limit_ip: int, limit_account: int = 0) -> bool:
    """Count one attempt; False when the visitor has used up their allowance for the hour.

    Attempts count whether or not they succeed, so a bot trying variants is slowed
    down as much as a repeated sender.
    """
    ip = ratelimit.client_ip(request)
    account = _account(request)
    if ratelimit.exceeded(f"portal-{scope}-ip", ip, limit_ip) or (
        account
        and limit_account
        and ratelimit.exceeded(f"portal-{scope}-acc", account, limit_account)
    ):
        return False
    ratelimit.hit(f"portal-{scope}-ip", ip, HOUR)
    if account and limit_account:
        ratelimit.hit(f"portal-{scope}-acc", account, HOUR)
    return True


def submission_allowed(request: HttpRequest) -> bool:
    return spend(
        request, "submit", settings.PORTAL_SUBMIT_LIMIT_IP, settings.PORTAL_SUBMIT_LIMIT_ACCOUNT
    )


def reply_allowed(request: HttpRequest) -> bool:
    return spend(request, "reply", settings.PORTAL_REPLY_LIMIT, settings.PORTAL_REPLY_LIMIT)


def account_mail_allowed(request: HttpRequest, email: str) -> bool:
    """Registration, password reset, new link: mails to one address and from one client."""
    limit = settings.PORTAL_ACCOUNT_MAIL_LIMIT
    if ratelimit.exceeded("portal-mail-to", email.lower(), limit):
        return False
    if not spend(request, "mail", limit * 3):
        return False
    ratelimit.hit("portal-mail-to", email.lower(), HOUR)
    return True


def tracking_failures_exceeded(request: HttpRequest) -> bool:
    return ratelimit.exceeded(
        "portal-track-fail", ratelimit.client_ip(request), settings.PORTAL_TRACKING_FAILURE_LIMIT
    )


def tracking_failed(request: HttpRequest) -> None:
    ratelimit.hit("portal-track-fail", ratelimit.client_ip(request), HOUR)


def too_many_message() -> str:
    return _(
        "Sie haben in kurzer Zeit sehr viele Anfragen gesendet. Bitte warten Sie eine "
        "Stunde und versuchen Sie es dann erneut. Ihre Eingaben bleiben erhalten."
    )
