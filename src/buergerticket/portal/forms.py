"""The request form of a service: catalog fields plus the portal's own fields.

Validation happens on the server with German messages next to each field; a form
with errors is shown again with everything typed, and files that passed their
checks are kept (see :class:`~buergerticket.portal.models.PendingUpload`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core import signing
from django.core.files.base import ContentFile
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buergerticket.catalog.models import Location, Service
from buergerticket.org.models import User
from buergerticket.portal import formspec, uploads
from buergerticket.portal.models import PendingUpload

INPUT = formspec.INPUT
KEPT_SALT = "portal.kept-uploads"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked in the form's ``clean()``."""

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if isinstance(data, list | tuple):
            return [f for f in data if f]
        return [data] if data else []


def _text(**attrs: str) -> forms.TextInput:
    return forms.TextInput(attrs={**INPUT, **attrs})


class RequestForm(forms.Form):
    """One request for ``service``; ``user`` is the logged-in account or None."""

    def __init__(
        self,
        data: Any = None,
        files: Any = None,
        *,
        service: Service,
        user: User | None = None,
        max_files: int = 5,
    ):
        super().__init__(data, files)
        # Off for refused submissions (rate limit, honeypot): their files are neither
        # read, scanned nor kept.
        self.accept_files = True
        self.service = service
        self.user = user
        self.max_files = max_files
        self.specs = formspec.specs(service.form)
        self.by_name = {spec.name: spec for spec in self.specs}
        self.checked: dict[str, list[uploads.CheckedFile]] = {}
        self.kept_uploads: list[PendingUpload] = self._load_kept()
        self._add_fields()

    # --- fields -------------------------------------------------------------

    def _add_fields(self) -> None:
        service = self.service
        for spec in self.specs:
            self.fields[spec.name] = formspec.build_field(spec)
        has_required = any(spec.required for spec in self.specs)
        self.fields["text"] = forms.CharField(
            label=_("Beschreibung Ihres Anliegens") if not has_required else _("Weitere Hinweise"),
            required=not has_required,
            max_length=10000,
            widget=forms.Textarea(attrs={**INPUT, "rows": "5"}),
        )
        if service.location != Location.NONE:
            self.fields["location_address"] = forms.CharField(
                label=_("Ort (Straße und Hausnummer oder eine Beschreibung)"),
                required=False,
                max_length=300,
                help_text=_("Zum Beispiel „Hauptstraße 12“ oder „Spielplatz am Rosenweg“."),
                widget=_text(autocomplete="street-address"),
            )
            # Required in substance (address or map point), so not labelled "optional".
            marked: Any = self.fields["location_address"]
            marked.portal_required = service.location == Location.REQUIRED
            self.fields["latitude"] = forms.DecimalField(
                required=False, min_value=-90, max_value=90, widget=forms.HiddenInput
            )
            self.fields["longitude"] = forms.DecimalField(
                required=False, min_value=-180, max_value=180, widget=forms.HiddenInput
            )
        self.fields["attachments"] = MultipleFileField(
            label=_("Fotos oder Dokumente"),
            required=False,
            help_text=_(
                "Bis zu %(count)s Dateien: Fotos (JPEG, PNG, WebP, HEIC) oder PDF, "
                "je höchstens %(size)s MB."
            )
            % {"count": self.max_files, "size": uploads.max_megabytes()},
            widget=MultipleFileInput(
                attrs={
                    **INPUT,
                    "accept": "image/jpeg,image/png,image/webp,image/heic,application/pdf",
                }
            ),
        )
        needs_postal = service.legal_act or service.fee_eur is not None
        if self.user is None:
            self.fields["name"] = forms.CharField(
                label=_("Ihr Name"),
                required=needs_postal,
                max_length=200,
                widget=_text(autocomplete="name"),
            )
            self.fields["email"] = forms.EmailField(
                label=_("E-Mail-Adresse"),
                required=False,
                help_text=_(
                    "Für die Eingangsbestätigung und Nachrichten zu Ihrem Anliegen. "
                    "Ohne E-Mail-Adresse erhalten Sie einen Link auf der Bestätigungsseite."
                ),
                widget=forms.EmailInput(attrs={**INPUT, "autocomplete": "email"}),
            )
        else:
            self.fields["name"] = forms.CharField(
                label=_("Ihr Name"),
                required=needs_postal,
                max_length=200,
                initial=self.user.get_full_name(),
                widget=_text(autocomplete="name"),
            )
        self.fields["phone"] = forms.CharField(
            label=_("Telefon für Rückfragen"),
            required=False,
            max_length=60,
            widget=_text(type="tel", autocomplete="tel"),
        )
        if needs_postal:
            self.fields["address"] = forms.CharField(
                label=_("Ihre Anschrift"),
                max_length=300,
                help_text=_("Für den Bescheid oder die Rechnung per Post."),
                widget=_text(autocomplete="street-address"),
            )
        self.fields["privacy"] = forms.BooleanField(
            label=_(
                "Ich habe die Datenschutzhinweise gelesen und bin mit der Verarbeitung "
                "meiner Angaben für dieses Anliegen einverstanden."
            ),
            widget=forms.CheckboxInput(attrs={"class": "kern-form-check__checkbox"}),
            error_messages={"required": _("Bitte bestätigen Sie die Datenschutzhinweise.")},
        )
        # Honeypot: invisible to people (and to assistive technology), filled by bots.
        self.fields["website"] = forms.CharField(
            required=False,
            label=_("Webseite (bitte leer lassen)"),
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )
        self.fields["kept"] = forms.CharField(required=False, widget=forms.HiddenInput)
        for spec in self.specs:
            # File fields stay optional for Django: a kept upload may satisfy them (clean()).
            applies = not self.is_bound or formspec.applies(spec, self.data, self.by_name)
            self.fields[spec.name].required = spec.required and applies and spec.type != "file"

    @property
    def catalog_fields(self) -> list[forms.BoundField]:
        return [self[spec.name] for spec in self.specs]

    def contact_fields(self) -> list[forms.BoundField]:
        names = ["name", "email", "phone", "address"]
        return [self[n] for n in names if n in self.fields]

    @property
    def is_bot(self) -> bool:
        return bool(self.is_bound and self.data.get("website", "").strip())

    # --- uploads ------------------------------------------------------------

    def _load_kept(self) -> list[PendingUpload]:
        if not self.is_bound:
            return []
        try:
            ids = signing.loads(self.data.get("kept", ""), salt=KEPT_SALT, max_age=86400)
        except signing.BadSignature:
            return []
        removed = set(self.data.getlist("remove_kept")) if hasattr(self.data, "getlist") else set()
        return list(
            PendingUpload.objects.filter(
                pk__in=[i for i in ids if i not in removed],
                organisation_id=self.service.organisation_id,
            ).order_by("created_at")
        )

    def _check_files(self, name: str, files: list[Any]) -> None:
        checked = []
        errors = []
        for upload in files:
            try:
                checked.append(uploads.check_upload(upload))
            except uploads.UploadRejected as exc:
                errors.append(str(exc))
        self.checked[name] = checked
        for error in errors:
            self.add_error(name, error)

    def kept_for(self, name: str) -> list[PendingUpload]:
        return [k for k in self.kept_uploads if k.field == name]

    # --- validation ---------------------------------------------------------

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.accept_files:
            return data
        files = self.files.getlist("attachments") if self.files else []
        if len(files) + len(self.kept_for("attachments")) > self.max_files:
            self.add_error(
                "attachments",
                _("Bitte höchstens %(count)s Dateien anhängen.") % {"count": self.max_files},
            )
        else:
            self._check_files("attachments", files)
        for spec in self.specs:
            if spec.type != "file" or not formspec.applies(spec, self.data, self.by_name):
                continue
            upload = self.files.get(spec.name) if self.files else None
            self._check_files(spec.name, [upload] if upload else [])
            if spec.required and not upload and not self.kept_for(spec.name):
                self.add_error(spec.name, _("Bitte fügen Sie eine Datei hinzu."))
        if self.service.location == Location.REQUIRED:
            has_point = data.get("latitude") is not None and data.get("longitude") is not None
            if not data.get("location_address", "").strip() and not has_point:
                self.add_error(
                    "location_address",
                    _("Bitte geben Sie den Ort an: eine Anschrift oder einen Punkt auf der Karte."),
                )
        return data

    def stash_uploads(self) -> None:
        """After a failed validation: keep the files that passed, for the next try."""
        now = timezone.now()
        for name, files in self.checked.items():
            for checked in files:
                pending = PendingUpload(
                    organisation_id=self.service.organisation_id,
                    field=name,
                    name=checked.name,
                    content_type=checked.content_type,
                    size=len(checked.content),
                    created_at=now,
                )
                pending.file.save(checked.name, ContentFile(checked.content), save=False)
                pending.save()
                self.kept_uploads.append(pending)
        self.checked = {}
        value = signing.dumps([str(k.pk) for k in self.kept_uploads], salt=KEPT_SALT)
        data = self.data.copy() if isinstance(self.data, QueryDict) else QueryDict(mutable=True)
        data["kept"] = value
        self.data = data

    def documents(self) -> list[uploads.CheckedFile]:
        """Every accepted file of this submission, kept ones first."""
        files = []
        for kept in self.kept_uploads:
            spec = self.by_name.get(kept.field)
            if spec is not None and not formspec.applies(spec, self.data, self.by_name):
                continue  # kept for a conditional field that no longer applies
            with kept.file.open("rb") as handle:
                files.append(uploads.CheckedFile(kept.name, handle.read(), kept.content_type))
        for checked in self.checked.values():
            files.extend(checked)
        return files

    def form_data(self) -> dict[str, Any]:
        """The catalog fields that apply, as stored on the case (names are the contract)."""
        result: dict[str, Any] = {}
        for spec in self.specs:
            if not formspec.applies(spec, self.data, self.by_name):
                continue
            if spec.type == "file":
                names = [f.name for f in self.checked.get(spec.name, [])]
                names += [k.name for k in self.kept_for(spec.name)]
                if names:
                    result[spec.name] = names
                continue
            value = self.cleaned_data.get(spec.name)
            if value in (None, "") and spec.type != "checkbox":
                continue
            result[spec.name] = formspec.plain(value)
        return result

    def location(self) -> tuple[str, Decimal | None, Decimal | None]:
        data = self.cleaned_data
        lat, lon = data.get("latitude"), data.get("longitude")
        try:
            lat = Decimal(lat).quantize(Decimal("0.000001")) if lat is not None else None
            lon = Decimal(lon).quantize(Decimal("0.000001")) if lon is not None else None
        except InvalidOperation:
            lat = lon = None
        if lat is None or lon is None:
            lat = lon = None
        return data.get("location_address", "").strip(), lat, lon


def discard_kept(kept: list[PendingUpload]) -> None:
    for pending in kept:
        pending.file.delete(save=False)
        pending.delete()


def purge_pending_uploads(older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Worker job: forget uploads of forms that were never sent."""
    old = list(PendingUpload.objects.filter(created_at__lt=timezone.now() - older_than)[:500])
    discard_kept(old)
    return len(old)


def annotate(form: forms.Form) -> None:
    """Tie hints and errors to their inputs for screen readers (aria-describedby)."""
    for name, field in form.fields.items():
        bound = form[name]
        ids = []
        if field.help_text:
            ids.append(f"{bound.auto_id}_helptext")
        if form.is_bound and form.errors.get(name):
            ids.append(f"{bound.auto_id}_error")
            field.widget.attrs["aria-invalid"] = "true"
        if ids:
            field.widget.attrs["aria-describedby"] = " ".join(ids)


class ReplyForm(forms.Form):
    """A requester's answer in the mailbox: text, documents, or both."""

    body = forms.CharField(
        label=_("Ihre Nachricht"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={**INPUT, "rows": "5"}),
    )
    attachments = MultipleFileField(
        label=_("Dokumente hinzufügen"),
        required=False,
        widget=MultipleFileInput(
            attrs={**INPUT, "accept": "image/jpeg,image/png,image/webp,image/heic,application/pdf"}
        ),
    )

    def __init__(self, *args: Any, max_files: int = 5, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.max_files = max_files
        self.accept_files = True  # off when the reply is refused (rate limit)
        self.checked: list[uploads.CheckedFile] = []
        self.fields["attachments"].help_text = _(
            "Fotos (JPEG, PNG, WebP, HEIC) oder PDF, je höchstens %(size)s MB."
        ) % {"size": uploads.max_megabytes()}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.accept_files:
            return data
        files = self.files.getlist("attachments") if self.files else []
        if len(files) > self.max_files:
            self.add_error(
                "attachments",
                _("Bitte höchstens %(count)s Dateien anhängen.") % {"count": self.max_files},
            )
            return data
        for upload in files:
            try:
                self.checked.append(uploads.check_upload(upload))
            except uploads.UploadRejected as exc:
                self.add_error("attachments", str(exc))
        if not data.get("body", "").strip() and not files:
            self.add_error(
                "body", _("Bitte schreiben Sie eine Nachricht oder fügen Sie ein Dokument hinzu.")
            )
        return data
