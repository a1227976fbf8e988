"""Records: the search index, extracted attachment text, the read-access log,
retention and disposal, data-protection settings and requests.

None of these tables is a case table: they are derived from or about cases and
are written by this app's own services (the index by an event subscriber in the
writing transaction).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from buergerticket.cases.models import Case, Document
from buergerticket.catalog.models import DisposalAction, Service
from buergerticket.org.models import Organisation, Staff, User


class SearchDocument(models.Model):
    """The analysed text of one case (see ``records.fulltext.analysis``).

    On SQLite an FTS5 table (``records_search_fts``) mirrors this one through
    triggers; on PostgreSQL a generated ``tsvector`` column with a GIN index
    does. Both are created by migration 0002.
    """

    case = models.OneToOneField(Case, primary_key=True, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    # File number and requester: what a clerk types to find "that case of Frau X".
    ident = models.TextField(blank=True)
    subject = models.TextField(blank=True)
    # Case text, form data, location, messages, notes, tags, service name.
    body = models.TextField(blank=True)
    # Names and extracted text of documents.
    attachments = models.TextField(blank=True)
    # Filter and permission terms (department, owner, service, status, month).
    scope = models.TextField(blank=True)
    indexed_version = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Suchindex {self.case_id}"


class TextStatus(models.TextChoices):
    OK = "ok", _("Text erkannt")
    EMPTY = "empty", _("kein Text enthalten")
    UNSUPPORTED = "unsupported", _("Format ohne Texterkennung")
    FAILED = "failed", _("Texterkennung fehlgeschlagen")


class DocumentText(models.Model):
    """Text extracted from an attachment (PDF, Word, Excel) for the search index.

    Extraction runs in the worker, not in the intake transaction, so a large
    PDF never slows down or endangers the receipt of a request.
    """

    document = models.OneToOneField(
        Document, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=12, choices=TextStatus.choices)
    text = models.TextField(blank=True)
    error = models.CharField(max_length=500, blank=True)
    extracted_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.document_id}: {self.status}"


class ReadAccess(models.Model):
    """Who opened which case or document, when (DSGVO accountability).

    The case reference is kept as a file number too, so the entry survives the
    case's disposal until the log's own retention ends.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_number = models.CharField(_("Aktenzeichen"), max_length=60)
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    document_name = models.CharField(_("Dokument"), max_length=255, blank=True)
    staff = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Snapshot of who it was ("s.wagner – Sabine Wagner"), kept if the account goes.
    reader = models.CharField(_("Person"), max_length=250)
    channel = models.CharField(_("Zugang"), max_length=20)
    at = models.DateTimeField(_("Zeitpunkt"))

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "at"], name="readaccess_org_at"),
            models.Index(fields=["organisation", "file_number", "at"], name="readaccess_case_at"),
            models.Index(fields=["staff", "at"], name="readaccess_staff_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.reader} {self.file_number}"


class PrivacySettings(models.Model):
    """Data-protection settings of an organisation."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="privacy_settings"
    )
    read_log_retention_days = models.PositiveIntegerField(
        _("Aufbewahrung des Zugriffsprotokolls (Tage)"), default=365
    )

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.read_log_retention_days} Tage"


class ServicePrivacyRule(models.Model):
    """Requester data of this service's cases is anonymised N days after closure.

    Setting a rule also says the requester's identity is not part of the
    record once the case is done, so an erasure request may anonymise such
    cases before their retention period ends.
    """

    service = models.OneToOneField(Service, on_delete=models.CASCADE, related_name="privacy_rule")
    anonymise_after_days = models.PositiveIntegerField(_("Anonymisieren nach Abschluss (Tage)"))

    def __str__(self) -> str:
        return f"{self.service_id}: {self.anonymise_after_days} Tage"


class PrivacyRequestKind(models.TextChoices):
    ACCESS = "access", _("Auskunft (Art. 15)")
    ANONYMISE = "anonymise", _("Anonymisierung")
    ERASE = "erase", _("Löschung (Art. 17)")


class PrivacyRequest(models.Model):
    """Proof that a data-protection request was handled.

    Holds the reference of the request and the outcome per case, never the
    person's identifying data itself (that would defeat the erasure).
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("Art"), max_length=10, choices=PrivacyRequestKind.choices)
    reference = models.CharField(_("Bezug"), max_length=200)
    performed_by = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    performed_by_label = models.CharField(max_length=200)
    at = models.DateTimeField()
    # [{"file_number": …, "outcome": "anonymised" | "erased" | "kept" | "exported", "reason": …}]
    outcomes = models.JSONField(default=list)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}"


class DisposalRunStatus(models.TextChoices):
    PROPOSED = "proposed", _("zur Freigabe")
    APPROVED = "approved", _("freigegeben")
    EXECUTED = "executed", _("durchgeführt")
    CANCELLED = "cancelled", _("verworfen")


class DisposalRun(models.Model):
    """A list of cases whose retention has expired, awaiting an administrator."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        max_length=10, choices=DisposalRunStatus.choices, default=DisposalRunStatus.PROPOSED
    )
    created_at = models.DateTimeField()
    # Cases closed in or before this year are due (retention runs from the end
    # of the closing year), computed per file plan entry.
    as_of = models.DateField()
    approved_by = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by_label = models.CharField(max_length=200, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    executed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Aussonderung {self.pk} ({self.status})"


class DisposalItemStatus(models.TextChoices):
    PENDING = "pending", _("offen")
    DONE = "done", _("erledigt")
    EXCLUDED = "excluded", _("ausgenommen")
    FAILED = "failed", _("fehlgeschlagen")


class DisposalItem(models.Model):
    run = models.ForeignKey(DisposalRun, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_number = models.CharField(max_length=60)
    subject = models.CharField(max_length=300)
    closed_at = models.DateTimeField()
    retention_until = models.DateField()
    action = models.CharField(max_length=10, choices=DisposalAction.choices)
    status = models.CharField(
        max_length=10, choices=DisposalItemStatus.choices, default=DisposalItemStatus.PENDING
    )
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["closed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "file_number"], name="disposal_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.file_number} ({self.action})"


class DisposalChain(models.Model):
    """Head of an organisation's disposal-record chain (like ``Case.last_event_hash``),
    so that removing the newest record is detected too."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="+")
    last_seq = models.PositiveIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.last_seq}"


class DisposalRecord(models.Model):
    """What remains of a disposed case: enough to prove it existed and was
    disposed of lawfully, nothing about its content or its requester.

    Records are hash-chained per organisation (like case events), so removing
    or altering one is detected by ``buergerticket audit verify``.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveIntegerField()
    file_number = models.CharField(_("Aktenzeichen"), max_length=60)
    file_plan = models.CharField(_("Aktenplankennzeichen"), max_length=40)
    service = models.CharField(_("Leistung"), max_length=60)
    opened_at = models.DateTimeField(_("Eingang"))
    closed_at = models.DateTimeField(_("abgeschlossen"), null=True, blank=True)
    disposed_at = models.DateTimeField(_("ausgesondert"))
    action = models.CharField(_("Aussonderung"), max_length=10)
    reason = models.CharField(_("Anlass"), max_length=300)
    approved_by = models.CharField(_("freigegeben von"), max_length=200)
    # The case's own history head at disposal: its chain ended intact here.
    event_count = models.PositiveIntegerField()
    last_event_hash = models.CharField(max_length=64)
    package_name = models.CharField(max_length=200, blank=True)
    package_sha256 = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["organisation", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "seq"], name="disposal_record_seq"),
            models.UniqueConstraint(
                fields=["organisation", "file_number"], name="disposal_record_file_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_number} ({self.action})"
