"""Process register, running processes, human tasks and decision documents.

These tables belong to the processes app. Cases are changed only through
:mod:`buergerticket.cases.services`; what a process does to its case appears
there as events.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from buergerticket.cases.models import Case
from buergerticket.catalog.models import Service
from buergerticket.org.models import Department, Organisation, Role, Staff


class ProcessModel(models.Model):
    """A register entry: one process of an organisation, usually for one service."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="process_models"
    )
    key = models.SlugField(_("Kennung"), max_length=100)
    name = models.CharField(_("Name"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    service = models.ForeignKey(
        Service,
        verbose_name=_("Leistung"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="process_models",
    )
    owner = models.ForeignKey(
        Staff,
        verbose_name=_("Prozessverantwortlich"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Free attributes of the register (legal basis, FIM/LeiKa ids, …): name → value.
    attributes = models.JSONField(_("Merkmale"), default=dict, blank=True)
    # The built-in default flows used by services without a model of their own.
    builtin = models.BooleanField(_("eingebaut"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Prozessmodell")
        verbose_name_plural = _("Prozessmodelle")
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="process_model_key_unique")
        ]

    def __str__(self) -> str:
        return self.name


class VersionKind(models.TextChoices):
    AS_IS = "ist", _("IST")
    TO_BE = "soll", _("SOLL")


class VersionStatus(models.TextChoices):
    DOCUMENTED = "dokumentiert", _("dokumentiert")
    EXECUTABLE = "ausfuehrbar", _("ausführbar")
    PUBLISHED = "veroeffentlicht", _("veröffentlicht")
    SUPERSEDED = "abgeloest", _("abgelöst")


class ProcessVersion(models.Model):
    """One version of a model: the original BPMN XML, its check and its status."""

    model = models.ForeignKey(ProcessModel, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("Version"))
    kind = models.CharField(
        _("Art"), max_length=4, choices=VersionKind.choices, default=VersionKind.TO_BE
    )
    status = models.CharField(
        _("Status"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DOCUMENTED
    )
    # The document as received, decoded (declaration says UTF-8); exported unchanged.
    xml = models.TextField()
    # The bytes exactly as received (e.g. ISO-8859-1), kept as the original.
    original = models.BinaryField()
    original_encoding = models.CharField(max_length=40, default="utf-8")
    sha256 = models.CharField(max_length=64)
    file_name = models.CharField(_("Datei"), max_length=255, blank=True)
    process_id = models.CharField(max_length=255, blank=True)
    four_eyes = models.BooleanField(
        _("Vier-Augen-Prinzip"),
        default=False,
        help_text=_("Bei Verwaltungsakten gilt es immer."),
    )
    analysis = models.JSONField(default=dict, blank=True)
    findings = models.JSONField(default=list, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(_("Herkunft"), max_length=300, blank=True)
    note = models.TextField(_("Änderungsnotiz"), blank=True)
    created_by = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("Modellversion")
        verbose_name_plural = _("Modellversionen")
        ordering = ["model", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["model", "number"], name="process_version_unique"),
            models.UniqueConstraint(
                fields=["model"],
                condition=Q(status="veroeffentlicht"),
                name="one_published_version_per_model",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model} v{self.number}"

    @property
    def executable(self) -> bool:
        return self.status != VersionStatus.DOCUMENTED and bool(self.process_id)

    @property
    def blocking_findings(self) -> list[dict[str, str]]:
        return [f for f in self.findings if f.get("severity") == "error"]


class InstanceStatus(models.TextChoices):
    RUNNING = "running", _("läuft")
    ERROR = "error", _("Fehler")
    COMPLETED = "completed", _("abgeschlossen")
    CANCELLED = "cancelled", _("beendet")


class ProcessInstance(models.Model):
    """One run of a model for one case; its Spiff state lives here, with the case."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    # Covered by the (case, status) index.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="process_instances", db_index=False
    )
    # A running case keeps the version it started with; null only if even
    # choosing a version failed (the error says why).
    version = models.ForeignKey(
        ProcessVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="instances"
    )
    status = models.CharField(
        max_length=10, choices=InstanceStatus.choices, default=InstanceStatus.RUNNING
    )
    state = models.TextField(blank=True)
    serializer_version = models.CharField(max_length=10, blank=True)
    # When the worker must next look at this run (a timer, or a service task
    # deferred from inside a case write). Indexed: the worker loads only due runs.
    wake_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    error_element = models.CharField(max_length=255, blank=True)
    error_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Prozessinstanz")
        verbose_name_plural = _("Prozessinstanzen")
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=["running", "error"]),
                name="one_active_process_per_case",
            )
        ]
        indexes = [
            models.Index(
                fields=["wake_at"], name="process_wake_at", condition=Q(wake_at__isnull=False)
            ),
            models.Index(fields=["case", "status"], name="process_case_status"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.version} ({self.status})"


class TaskKind(models.TextChoices):
    TASK = "task", _("Aufgabe")
    DRAFT = "draft", _("Bescheid entwerfen")
    CO_SIGNATURE = "co_signature", _("Mitzeichnung")
    FINAL_SIGNATURE = "final_signature", _("Schlusszeichnung")


class TaskState(models.TextChoices):
    OPEN = "open", _("offen")
    COMPLETED = "completed", _("erledigt")
    CANCELLED = "cancelled", _("entfallen")


class HumanTask(models.Model):
    """A user task of a running process, assigned to exactly one person."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="process_tasks")
    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="tasks")
    spiff_id = models.CharField(max_length=36)
    element_id = models.CharField(max_length=255)
    name = models.CharField(_("Aufgabe"), max_length=300)
    kind = models.CharField(max_length=20, choices=TaskKind.choices, default=TaskKind.TASK)
    # Who may do it: a role ('' = any case worker) within a department.
    role = models.CharField(_("Rolle"), max_length=40, blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    # A fixed person named by the model (candidateUsers/assignee).
    fixed_user = models.CharField(max_length=150, blank=True)
    # The task follows the case owner (no role and no department of its own).
    follows_owner = models.BooleanField(default=True)
    assignee = models.ForeignKey(
        Staff, verbose_name=_("Zuständig"), on_delete=models.PROTECT, related_name="process_tasks"
    )
    # Set while ``assignee`` stands in for an absent colleague.
    regular_assignee = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assignment_rule = models.CharField(max_length=20, blank=True)
    assignment_note = models.CharField(max_length=300, blank=True)
    state = models.CharField(max_length=10, choices=TaskState.choices, default=TaskState.OPEN)
    due = models.DateTimeField(_("fällig"), null=True, blank=True)
    due_from_timer = models.BooleanField(default=False)
    documentation = models.TextField(blank=True)
    form = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Aufgabe")
        verbose_name_plural = _("Aufgaben")
        constraints = [
            # A Spiff task is open at most once (after a rewind it may open again).
            models.UniqueConstraint(
                fields=["instance", "spiff_id"],
                condition=Q(state="open"),
                name="human_task_spiff_open_unique",
            )
        ]
        indexes = [
            # "Meine Aufgaben": open tasks of one person by due time.
            models.Index(
                fields=["assignee", "due"], name="task_assignee_open", condition=Q(state="open")
            ),
            models.Index(fields=["case", "state"], name="task_case_state"),
            models.Index(
                fields=["organisation", "role"],
                name="task_org_role_open",
                condition=Q(state="open"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_sign_off(self) -> bool:
        return self.kind in (TaskKind.CO_SIGNATURE, TaskKind.FINAL_SIGNATURE)

    @property
    def role_label(self) -> str:
        try:
            return str(Role(self.role).label)
        except ValueError:
            return self.role


def decision_path(instance: Decision, filename: str) -> str:
    return (
        f"decisions/{instance.organisation_id}/{instance.case_id}/"
        f"{instance.number:03d}-{instance.sha256[:16]}.pdf"
    )


class Decision(models.Model):
    """One version (Fassung) of a decision document (Bescheid) of a case.

    Each change makes a new Fassung; signatures belong to the Fassung they
    signed, so a change leaves them on the old one, voided.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions")
    instance = models.ForeignKey(
        ProcessInstance, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    number = models.PositiveIntegerField(_("Fassung"))
    template = models.CharField(max_length=60)
    subject = models.CharField(_("Betreff"), max_length=300)
    tenor = models.TextField(_("Entscheidung (Tenor)"))
    reasoning = models.TextField(_("Begründung"), blank=True)
    file = models.FileField(upload_to=decision_path, max_length=300)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    author = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    superseded_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The case Document the sent decision became (a reply attachment).
    sent_document_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("Bescheid")
        verbose_name_plural = _("Bescheide")
        ordering = ["case", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="decision_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.subject} (Fassung {self.number})"

    @property
    def file_name(self) -> str:
        return f"Bescheid-{self.case.file_number.replace('/', '-')}-F{self.number}.pdf"


class SignatureKind(models.TextChoices):
    CO_SIGNATURE = "co_signature", _("Mitzeichnung")
    FINAL_SIGNATURE = "final_signature", _("Schlusszeichnung")


class Signature(models.Model):
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="signatures")
    kind = models.CharField(max_length=20, choices=SignatureKind.choices)
    signer = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    # The signer's role at the time (what entitled them).
    role = models.CharField(max_length=40, blank=True)
    at = models.DateTimeField()
    sha256 = models.CharField(max_length=64)
    # seq of the case event that documents the signature.
    event_seq = models.PositiveIntegerField()
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("Zeichnung")
        verbose_name_plural = _("Zeichnungen")
        ordering = ["decision", "at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.signer} ({self.sha256[:12]})"

    @property
    def valid(self) -> bool:
        return self.voided_at is None and self.sha256 == self.decision.sha256
