"""Citizen accounts: register, confirm the address, log in and out, reset the password,
and ask for a new private link."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.tokens import default_token_generator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.encoding import force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from buergerticket.core import ratelimit
from buergerticket.org.models import User
from buergerticket.portal import account_forms, accounts, forms, limits, selectors
from buergerticket.portal.views.common import page

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _show(
    request: HttpRequest,
    org: object,
    template: str,
    form: object,
    status: int = 200,
    **extra: object,
) -> HttpResponse:
    if hasattr(form, "fields"):
        forms.annotate(form)  # type: ignore[arg-type]
    return page(request, org, template, {"form": form, **extra}, status)  # type: ignore[arg-type]


def register(request: HttpRequest, org: str) -> HttpResponse:
    organisation = selectors.organisation(org)
    form = account_forms.RegistrationForm(request.POST or None)
    if request.method == "POST":
        if form.data.get("website"):
            return _show(request, organisation, "portal/account/register.html", form, 400)
        if form.is_valid():
            email = form.cleaned_data["email"]
            if not limits.account_mail_allowed(request, email):
                form.add_error(None, limits.too_many_message())
                return _show(request, organisation, "portal/account/register.html", form, 429)
            accounts.register(
                organisation,
                email=email,
                password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                language=get_language() or "de",
            )
            return page(request, organisation, "portal/account/check_mail.html", {"email": email})
        return _show(request, organisation, "portal/account/register.html", form, 400)
    return _show(request, organisation, "portal/account/register.html", form)


def _user_from(uidb64: str) -> User | None:
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    return User.objects.filter(pk=pk, staff__isnull=True).first()


def confirm(request: HttpRequest, org: str, uidb64: str, token: str) -> HttpResponse:
    organisation = selectors.organisation(org)
    user = _user_from(uidb64)
    if user is None or not accounts.confirmation_tokens.check_token(user, token):
        return page(request, organisation, "portal/account/link_expired.html", status=400)
    user.is_active = True
    user.save(update_fields=["is_active"])
    auth_login(request, user, backend=BACKEND)
    messages.success(request, _("Ihre E-Mail-Adresse ist bestätigt. Willkommen!"))
    return redirect("portal:my_cases", org=org)


def login(request: HttpRequest, org: str) -> HttpResponse:
    organisation = selectors.organisation(org)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    form = account_forms.LoginForm(request, data=request.POST or None)
    if request.method == "POST":
        username = request.POST.get("username", "").strip().lower()
        ip = ratelimit.client_ip(request)
        limit = settings.LOGIN_RATE_LIMIT
        window = settings.LOGIN_RATE_WINDOW_SECONDS
        if ratelimit.exceeded("login-user", username, limit) or ratelimit.exceeded(
            "login-ip", ip, limit * 5
        ):
            form.errors.clear()
            form.add_error(
                None,
                _(
                    "Zu viele fehlgeschlagene Anmeldeversuche. Bitte warten Sie "
                    "15 Minuten und versuchen Sie es dann erneut."
                ),
            )
            return _show(
                request, organisation, "portal/account/login.html", form, 429, next=next_url
            )
        if form.is_valid():
            ratelimit.reset("login-user", username)
            auth_login(request, form.get_user())
            if next_url:
                return redirect(next_url)
            return redirect("portal:my_cases", org=org)
        ratelimit.hit("login-user", username, window)
        ratelimit.hit("login-ip", ip, window)
        return _show(request, organisation, "portal/account/login.html", form, 400, next=next_url)
    return _show(request, organisation, "portal/account/login.html", form, next=next_url)


@require_POST
def logout(request: HttpRequest, org: str) -> HttpResponse:
    auth_logout(request)
    messages.info(request, _("Sie sind abgemeldet."))
    return redirect("portal:catalog", org=org)


def password_reset(request: HttpRequest, org: str) -> HttpResponse:
    organisation = selectors.organisation(org)
    form = account_forms.EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if not limits.account_mail_allowed(request, email):
            form.add_error(None, limits.too_many_message())
            return _show(request, organisation, "portal/account/password_reset.html", form, 429)
        accounts.send_password_reset(organisation, email)
        return page(request, organisation, "portal/account/check_mail.html", {"email": email})
    status = 400 if form.errors else 200
    return _show(request, organisation, "portal/account/password_reset.html", form, status)


def password_reset_confirm(request: HttpRequest, org: str, uidb64: str, token: str) -> HttpResponse:
    organisation = selectors.organisation(org)
    user = _user_from(uidb64)
    if user is None or not default_token_generator.check_token(user, token):
        return page(request, organisation, "portal/account/link_expired.html", status=400)
    form = account_forms.NewPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Ihr Passwort ist geändert. Bitte melden Sie sich an."))
        return redirect("portal:login", org=org)
    status = 400 if form.errors else 200
    return _show(request, organisation, "portal/account/password_new.html", form, status)


def lost_link(request: HttpRequest, org: str) -> HttpResponse:
    organisation = selectors.organisation(org)
    form = account_forms.LostLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if not limits.account_mail_allowed(request, email):
            form.add_error(None, limits.too_many_message())
            return _show(request, organisation, "portal/account/lost_link.html", form, 429)
        accounts.send_new_tracking_link(organisation, form.cleaned_data["file_number"], email)
        return page(request, organisation, "portal/account/check_mail.html", {"email": email})
    status = 400 if form.errors else 200
    return _show(request, organisation, "portal/account/lost_link.html", form, status)
