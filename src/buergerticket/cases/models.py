"""The case (Vorgang), its immutable history, messages, documents and links.

Nothing outside :mod:`buergerticket.cases.services` writes these tables; the
models hold data and invariants only.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from buergerticket.catalog.models import Service
from buergerticket.org.models import Department, Organisation, Staff, User


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    EMAIL = "email", _("E-Mail")
    PHONE = "phone", _("Telefon")
    COUNTER = "counter", _("Schalter")
    LETTER = "letter", _("Brief")
    API = "api", _("Schnittstelle")
    OPEN311 = "open311", _("Open311")


class Status(models.TextChoices):
    NEW = "neu", _("neu")
    IN_PROGRESS = "in_bearbeitung", _("in Bearbeitung")
    WAITING = "wartet", _("wartet auf Rückmeldung")
    DECIDED = "entschieden", _("entschieden")
    CLOSED = "abgeschlossen", _("abgeschlossen")


class _ComparingExact(Exact):
    """``col = true`` instead of Django's bare ``WHERE col`` for booleans.

    SQLite uses an index for an equality term only: with the bare column the
    department queue fell back to a full sort of the department's cases.
    """

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, Any]:
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs_sql} = {rhs_sql}", (*lhs_params, *rhs_params)


class IndexedBooleanField(models.BooleanField):
    """A boolean column that leads composite indexes (see :class:`_ComparingExact`)."""


IndexedBooleanField.register_lookup(_ComparingExact)


# Statuses in which the deadline runs: waiting suspends it, a decision meets it.
DEADLINE_RUNNING = (Status.NEW, Status.IN_PROGRESS)


class Priority(models.IntegerChoices):
    LOW = 1, _("niedrig")
    NORMAL = 2, _("normal")
    HIGH = 3, _("hoch")
    URGENT = 4, _("dringend")


class FileNumberSequence(models.Model):
    """Last file number issued per organisation and year.

    Incremented inside the transaction that opens the case, so a rollback
    returns the number and the sequence stays gap-free.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="file_number_seq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.year}: {self.last_value}"


class Case(models.Model):
    # Foreign keys that lead a composite index below get no index of their own:
    # each index is one more B-tree to update on every intake.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    file_number = models.CharField(_("Aktenzeichen"), max_length=60)
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="cases")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    owner = models.ForeignKey(
        Staff,
        verbose_name=_("Zuständig"),
        on_delete=models.PROTECT,
        related_name="owned_cases",
        db_index=False,
    )
    # Set while ``owner`` holds the case for an absent colleague: the case
    # returns to this person when their absence ends, and actions are "i. V.".
    regular_owner = models.ForeignKey(
        Staff,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deputised_cases",
        db_index=False,
    )
    channel = models.CharField(_("Eingangskanal"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("Status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    is_open = models.GeneratedField(
        expression=models.Case(
            models.When(status=Status.CLOSED, then=models.Value(False)),
            default=models.Value(True),
        ),
        output_field=IndexedBooleanField(),
        db_persist=True,
    )
    priority = models.PositiveSmallIntegerField(
        _("Priorität"), choices=Priority.choices, default=Priority.NORMAL
    )
    subject = models.CharField(_("Betreff"), max_length=300)
    text = models.TextField(_("Anliegen"), blank=True)
    form_data = models.JSONField(_("Formulardaten"), default=dict, blank=True)
    tags = models.JSONField(_("Schlagworte"), default=list, blank=True)

    requester_name = models.CharField(_("Name"), max_length=200, blank=True)
    requester_email = models.EmailField(_("E-Mail"), blank=True)
    requester_phone = models.CharField(_("Telefon"), max_length=60, blank=True)
    requester_address = models.CharField(_("Anschrift"), max_length=300, blank=True)
    requester_account = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requested_cases",
        db_index=False,
    )
    location_address = models.CharField(_("Ort"), max_length=300, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    created_at = models.DateTimeField(_("Eingang"), db_index=True)
    updated_at = models.DateTimeField(_("geändert"))
    decided_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_automatically = models.BooleanField(_("automatisch erledigt"), default=False)

    deadline = models.DateField(_("Frist"))
    # Fristhemmung: while waiting for the requester the deadline is suspended.
    deadline_suspended_since = models.DateField(null=True, blank=True)
    follow_up = models.DateField(_("Wiedervorlage"), null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # A reason the owner must look at (e.g. a foreign sender named this file number).
    attention = models.CharField(_("Hinweis"), max_length=300, blank=True)
    legal_hold = models.BooleanField(_("Aufbewahrungssperre"), default=False)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    # Bumped by every change; serves as ETag and optimistic lock.
    version = models.PositiveIntegerField(default=1)
    last_event_seq = models.PositiveIntegerField(default=0)
    last_event_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("Vorgang")
        verbose_name_plural = _("Vorgänge")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "file_number"], name="case_file_number_unique"
            ),
            models.UniqueConstraint(
                fields=["organisation", "year", "sequence"], name="case_sequence_unique"
            ),
        ]
        indexes = [
            # Department queue: open cases by urgency, deadline, intake time.
            models.Index(
                fields=["department", "is_open", "-priority", "deadline", "created_at"],
                name="case_queue",
            ),
            # "Meine Vorgänge" and absence re-routing.
            models.Index(fields=["owner", "is_open", "-priority", "deadline"], name="case_owner"),
            models.Index(
                fields=["regular_owner", "is_open"],
                name="case_regular_owner",
                condition=Q(regular_owner__isnull=False),
            ),
            # Escalation and dashboards scan open cases by deadline.
            models.Index(fields=["organisation", "is_open", "deadline"], name="case_org_deadline"),
            models.Index(fields=["organisation", "service", "created_at"], name="case_org_service"),
            models.Index(fields=["organisation", "closed_at"], name="case_org_closed"),
            models.Index(
                fields=["requester_account", "created_at"],
                name="case_requester_account",
                condition=Q(requester_account__isnull=False),
            ),
            models.Index(fields=["requester_email"], name="case_requester_email"),
        ]

    def __str__(self) -> str:
        return f"{self.file_number} {self.subject}"


class ActorKind(models.TextChoices):
    STAFF = "staff", _("Mitarbeiter:in")
    REQUESTER = "requester", _("Antragsteller:in")
    SYSTEM = "system", _("System")
    AUTOMATION = "automation", _("Automatik")


class CaseEvent(models.Model):
    """One immutable entry of a case's history; hash-chained per case."""

    # Covered by the (case, seq) and (organisation, type, at) indexes.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", db_index=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    seq = models.PositiveIntegerField()
    type = models.CharField(max_length=40)
    actor_kind = models.CharField(max_length=12, choices=ActorKind.choices)
    actor = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    on_behalf_of = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    details = models.JSONField(default=dict)
    reason = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["case", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["case", "seq"], name="case_event_seq_unique")
        ]
        indexes = [models.Index(fields=["organisation", "type", "at"], name="event_org_type_at")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.type}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise RuntimeError("Case events are immutable.")
        super().save(*args, **kwargs)  # type: ignore[arg-type,unused-ignore]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise RuntimeError("Case events are immutable.")


class MessageKind(models.TextChoices):
    INCOMING = "incoming", _("Eingang")
    OUTGOING = "outgoing", _("Antwort")
    NOTE = "note", _("Vermerk")


class DeliveryStatus(models.TextChoices):
    NONE = "", _("—")
    QUEUED = "queued", _("wird versandt")
    SENT = "sent", _("versandt")
    FAILED = "failed", _("Zustellung fehlgeschlagen")


class Message(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=10, choices=MessageKind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    author = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author_label = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    # The original HTML of an e-mail, kept as received; never rendered unescaped.
    body_html = models.TextField(blank=True)
    created_at = models.DateTimeField()
    message_id = models.CharField(max_length=300, blank=True, db_index=True)
    in_reply_to = models.CharField(max_length=300, blank=True)
    recipient = models.CharField(max_length=300, blank=True)
    delivery_status = models.CharField(max_length=10, choices=DeliveryStatus.choices, blank=True)
    delivery_error = models.TextField(blank=True)
    # Shown to the requester in the Bürgerpostfach. False for what others wrote into
    # the case (a colleague's or a third party's mail): not the requester's to read.
    shared = models.BooleanField(_("im Bürgerpostfach sichtbar"), default=True)

    class Meta:
        ordering = ["case", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.subject}".strip()

    @property
    def visible_to_requester(self) -> bool:
        return self.kind != MessageKind.NOTE and self.shared


def document_name(organisation_id: int, sha256: str) -> str:
    # By content, not by case: the file can then be written before the case row
    # exists (see services.opening.staged_documents); 256 folders per organisation.
    return f"cases/{organisation_id}/{sha256[:2]}/{sha256[2:18]}"


def document_path(instance: Document, filename: str) -> str:
    return document_name(instance.case.organisation_id, instance.sha256)


class Document(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="documents"
    )
    name = models.CharField(_("Dateiname"), max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to=document_path, max_length=300)
    # Published documents appear in the requester's mailbox (Bürgerpostfach).
    published = models.BooleanField(_("im Postfach veröffentlicht"), default=False)
    uploaded_by_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    # Extracted text for full-text search; empty when nothing could be extracted.
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["case", "created_at", "id"]

    def __str__(self) -> str:
        return self.name


class LinkKind(models.TextChoices):
    FOLLOW_UP = "follow_up", _("Folgevorgang")
    RELATED = "related", _("Bezug")


class CaseLink(models.Model):
    from_case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links_out")
    to_case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=12, choices=LinkKind.choices)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["from_case", "to_case", "kind"], name="case_link_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_case_id} → {self.to_case_id} ({self.kind})"
