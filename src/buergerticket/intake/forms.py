"""Forms of the e-mail administration. Labels and messages are German."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from buergerticket.intake.mail import secrets
from buergerticket.intake.models import AuthMethod, Mailbox, Security

INPUT = {"class": "kern-form-input__input"}
SELECT = {"class": "kern-form-input__select"}
CHECK = {"class": "kern-form-check__checkbox"}
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}

KEEP, ENCRYPT, ENV = "keep", "encrypt", "env"
SECRET_CHOICES = [
    (KEEP, _("unverändert lassen")),
    (ENCRYPT, _("neu eingeben und verschlüsselt speichern")),
    (ENV, _("aus einer Umgebungsvariable des Servers lesen")),
]


FIELDSETS = [
    (_("Postfach"), ["name", "address", "enabled"]),
    (
        _("IMAP-Server und Anmeldung"),
        ["host", "port", "security", "username", "auth", "secret_mode", "password", "secret_env"],
    ),
    (
        _("OAuth2 (nur Microsoft 365 / Exchange Online)"),
        ["oauth_tenant", "oauth_client_id", "oauth_token_url", "oauth_scope"],
    ),
    (
        _("Ordner und Abruf"),
        [
            "folder",
            "done_action",
            "done_folder",
            "quarantine_folder",
            "import_existing",
            "mode",
            "poll_seconds",
            "max_megabytes",
        ],
    ),
]


class MailboxForm(forms.ModelForm):
    secret_mode = forms.ChoiceField(
        label=_("Passwort bzw. Client-Secret"),
        choices=SECRET_CHOICES,
        widget=forms.Select(attrs=SELECT),
        help_text=_(
            "Das Passwort wird nie angezeigt und nie im Klartext gespeichert; siehe "
            "Betriebshandbuch „E-Mail-Eingang“."
        ),
    )
    password = forms.CharField(
        label=_("Neues Passwort bzw. Client-Secret"),
        required=False,
        max_length=4000,
        strip=False,
        widget=forms.PasswordInput(attrs={**INPUT, "autocomplete": "new-password"}),
    )
    oauth_token_url = forms.URLField(
        label=_("Token-Adresse"),
        required=False,
        max_length=300,
        assume_scheme="https",
        help_text=_("Nur nötig, wenn nicht Microsoft 365 (sonst leer lassen)."),
    )
    secret_env = forms.CharField(
        label=_("Name der Umgebungsvariable"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={**INPUT, "spellcheck": "false"}),
        help_text=_("z. B. BT_MAIL_PASSWORT_BUERGERSERVICE"),
    )

    class Meta:
        model = Mailbox
        fields = [
            "name",
            "address",
            "enabled",
            "host",
            "port",
            "security",
            "username",
            "auth",
            "oauth_tenant",
            "oauth_client_id",
            "oauth_token_url",
            "oauth_scope",
            "folder",
            "done_action",
            "done_folder",
            "quarantine_folder",
            "import_existing",
            "mode",
            "poll_seconds",
            "max_megabytes",
        ]
        help_texts = {
            "address": _("Auf diese Adresse schreiben die Bürgerinnen und Bürger."),
            "oauth_tenant": _("Nur bei OAuth2 mit Microsoft 365 (Verzeichnis-ID des Mandanten)."),
            "oauth_scope": _("Leer: https://outlook.office365.com/.default"),
            "quarantine_folder": _("Leer: wie übernommene Nachrichten behandeln."),
            "import_existing": _(
                "Beim ersten Abruf auch die Nachrichten übernehmen, die schon im Ordner liegen."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.update(CHECK)
            elif isinstance(widget, forms.Select):
                widget.attrs.update(SELECT)
            elif name not in ("password",):
                widget.attrs.update(INPUT)
        if not self.instance.pk or not self.instance.secret:
            mode = self.fields["secret_mode"]
            assert isinstance(mode, forms.ChoiceField)
            mode.choices = SECRET_CHOICES[1:]
            self.initial.setdefault("secret_mode", ENCRYPT if secrets.can_encrypt() else ENV)
        else:
            self.initial.setdefault("secret_mode", KEEP)
            self.fields["secret_mode"].help_text = _("Derzeit: %(how)s.") % {
                "how": secrets.describe(self.instance.secret)
            }

    def fieldsets(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(legend, [self[name] for name in names]) for legend, names in FIELDSETS]

    def clean_address(self) -> str:
        return str(self.cleaned_data["address"]).strip().lower()

    def clean_host(self) -> str:
        return str(self.cleaned_data["host"]).strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("security") == Security.NONE and data.get("host") not in LOCAL_HOSTS:
            self.add_error(
                "security",
                _(
                    "Unverschlüsselt ist nur für einen Server auf demselben Rechner "
                    "(localhost) erlaubt."
                ),
            )
        if data.get("auth") == AuthMethod.OAUTH2:
            if not data.get("oauth_client_id"):
                self.add_error("oauth_client_id", _("Für OAuth2 wird die Client-ID benötigt."))
            if not data.get("oauth_tenant") and not data.get("oauth_token_url"):
                self.add_error(
                    "oauth_tenant",
                    _("Für OAuth2 wird der Tenant oder eine Token-Adresse benötigt."),
                )
        mode = data.get("secret_mode")
        try:
            if mode == ENCRYPT:
                if not data.get("password"):
                    self.add_error("password", _("Bitte das Passwort bzw. Client-Secret eingeben."))
                else:
                    self.instance.secret = secrets.encrypt(data["password"])
            elif mode == ENV:
                self.instance.secret = secrets.env_reference(data.get("secret_env") or "")
        except secrets.SecretError as exc:
            self.add_error("password" if mode == ENCRYPT else "secret_env", str(exc))
        return data


class DiscardForm(forms.Form):
    note = forms.CharField(
        label=_("Warum wird die Nachricht verworfen?"),
        max_length=500,
        widget=forms.TextInput(attrs=INPUT),
    )


class LogFilterForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Ergebnis"),
        required=False,
        choices=[("", _("alle"))],
        widget=forms.Select(attrs=SELECT),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        from buergerticket.intake.models import Result

        super().__init__(*args, **kwargs)
        self.fields["result"].choices = [("", _("alle")), *Result.choices]  # type: ignore[attr-defined]
