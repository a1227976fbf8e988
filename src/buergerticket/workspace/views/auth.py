"""Login with rate limiting per account and per client address; logout."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from buergerticket.core import ratelimit


class StaffAuthenticationForm(AuthenticationForm):
    def __init__(self, *args: object, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for field in self.fields.values():
            field.widget.attrs["class"] = "kern-form-input__input"


class LoginView(auth_views.LoginView):
    template_name = "workspace/login.html"
    form_class = StaffAuthenticationForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        username = request.POST.get("username", "").strip().lower()
        ip = ratelimit.client_ip(request)
        limit = settings.LOGIN_RATE_LIMIT
        if ratelimit.exceeded("login-user", username, limit) or ratelimit.exceeded(
            "login-ip", ip, limit * 5
        ):
            form = self.get_form()
            form.errors.clear()
            form.add_error(
                None,
                _(
                    "Zu viele fehlgeschlagene Anmeldeversuche. Bitte warten Sie "
                    "15 Minuten und versuchen Sie es dann erneut."
                ),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        window = settings.LOGIN_RATE_WINDOW_SECONDS
        ratelimit.hit("login-user", self.request.POST.get("username", "").strip().lower(), window)
        ratelimit.hit("login-ip", ratelimit.client_ip(self.request), window)
        return super().form_invalid(form)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        ratelimit.reset("login-user", form.get_user().get_username().lower())
        user = form.get_user()
        response = super().form_valid(form)
        if user.language:
            from django.conf import settings as conf

            response.set_cookie(
                conf.LANGUAGE_COOKIE_NAME,
                user.language,
                samesite="Lax",
                secure=conf.SESSION_COOKIE_SECURE,
            )
        return response


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("Sie sind abgemeldet."))
        return response
