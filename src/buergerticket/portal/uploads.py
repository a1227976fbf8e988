"""Checking uploaded files: size, type by content (not by name), virus scan.

Allowed are photos (JPEG, PNG, WebP, HEIC) and PDF. The type comes from the file's
first bytes; images must also open with Pillow, PDFs must look like PDFs. Where
clamd is configured every file is scanned; an infected file is rejected and logged,
and when the scanner cannot be reached nothing is accepted unscanned.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from buergerticket.cases.services import NewDocument
from buergerticket.portal import clamd

log = logging.getLogger("buergerticket.portal.uploads")

ALLOWED = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/heic": "heic",
    "application/pdf": "pdf",
}
# Pillow cannot decode HEIC without a plugin; its container is checked by filetype only.
PILLOW_CHECKED = {"image/jpeg", "image/png", "image/webp"}


class UploadRejected(Exception):
    """The file is not accepted; the message is German and shown next to the field."""


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content: bytes
    content_type: str

    def as_document(self) -> NewDocument:
        return NewDocument(name=self.name, content=self.content, content_type=self.content_type)


def _safe_name(name: str, content_type: str) -> str:
    """Keep the visible name but drop paths and give it the extension of its real type."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip() or "datei"
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = "".join(ch for ch in stem if ch.isprintable())[:120] or "datei"
    return f"{stem}.{ALLOWED[content_type]}"


def _sniff(content: bytes) -> str:
    kind = filetype.guess(content[:8192])
    mime = kind.mime if kind else ""
    if mime not in ALLOWED:
        raise UploadRejected(
            _(
                "Dieser Dateityp ist nicht erlaubt. "
                "Erlaubt sind Fotos (JPEG, PNG, WebP, HEIC) und PDF."
            )
        )
    if mime in PILLOW_CHECKED:
        try:
            with Image.open(io.BytesIO(content)) as image:
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise UploadRejected(
                _("Das Bild ist beschädigt und kann nicht geöffnet werden.")
            ) from exc
    if mime == "application/pdf" and b"%%EOF" not in content[-2048:]:
        raise UploadRejected(_("Die PDF-Datei ist unvollständig oder beschädigt."))
    return mime


def _scan(name: str, content: bytes) -> None:
    address = settings.CLAMD
    if not address:
        return
    try:
        result = clamd.scan(address, content)
    except clamd.ScannerUnavailable as exc:
        log.error("Virenprüfung nicht möglich, Datei %r abgelehnt: %s", name, exc)
        raise UploadRejected(
            _("Die Virenprüfung ist gerade nicht erreichbar. Bitte versuchen Sie es später erneut.")
        ) from exc
    if not result.clean:
        log.warning("Infizierte Datei abgelehnt: %r (%s)", name, result.signature)
        raise UploadRejected(
            _("Die Datei „%(name)s“ enthält Schadsoftware und wurde abgelehnt.") % {"name": name}
        )


def check_content(name: str, content: bytes) -> CheckedFile:
    limit = settings.PORTAL_UPLOAD_MAX_BYTES
    if not content:
        raise UploadRejected(_("Die Datei „%(name)s“ ist leer.") % {"name": name})
    if len(content) > limit:
        raise UploadRejected(
            _("Die Datei „%(name)s“ ist zu groß (höchstens %(limit)s).")
            % {"name": name, "limit": filesizeformat(limit)}
        )
    mime = _sniff(content)
    _scan(name, content)
    return CheckedFile(name=_safe_name(name, mime), content=content, content_type=mime)


def check_upload(upload: UploadedFile) -> CheckedFile:
    name = upload.name or "datei"
    if upload.size is not None and upload.size > settings.PORTAL_UPLOAD_MAX_BYTES:
        # Reject before reading a huge file into memory.
        raise UploadRejected(
            _("Die Datei „%(name)s“ ist zu groß (höchstens %(limit)s).")
            % {"name": name, "limit": filesizeformat(settings.PORTAL_UPLOAD_MAX_BYTES)}
        )
    return check_content(name, upload.read())


def max_megabytes() -> int:
    return int(settings.PORTAL_UPLOAD_MAX_BYTES // (1024 * 1024))
