"""The e-mail channel's own tables: shared mailboxes, their fetch state, and
one receipt per delivered mail (the log, the quarantine and the guard against
processing a mail twice)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from buergerticket.cases.models import Case
from buergerticket.org.models import Organisation, Staff


class Security(models.TextChoices):
    TLS = "tls", _("TLS (IMAPS, meist Port 993)")
    STARTTLS = "starttls", _("STARTTLS (meist Port 143)")
    NONE = "none", _("unverschlüsselt (nur für localhost)")


class AuthMethod(models.TextChoices):
    PASSWORD = "password", _("Passwort")
    OAUTH2 = "oauth2", _("OAuth2 (XOAUTH2, z. B. Exchange Online / Microsoft 365)")


class DoneAction(models.TextChoices):
    MOVE = "move", _("in einen Ordner verschieben")
    FLAG = "flag", _("als gelesen markieren und im Posteingang lassen")


class FetchMode(models.TextChoices):
    IDLE = "idle", _("sofort (IMAP IDLE, sonst regelmäßig abrufen)")
    POLL = "poll", _("regelmäßig abrufen")


class Mailbox(models.Model):
    """An organisation's shared mailbox (Sammelpostfach), read over IMAP."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="mailboxes"
    )
    name = models.CharField(_("Bezeichnung"), max_length=100)
    # Also the recipient address the LMTP/SMTP listener accepts for this
    # organisation, and one of the system's own addresses (loop protection).
    address = models.EmailField(_("E-Mail-Adresse des Postfachs"), unique=True)
    enabled = models.BooleanField(_("aktiv"), default=True)
    host = models.CharField(_("IMAP-Server"), max_length=200)
    port = models.PositiveIntegerField(_("Port"), default=993)
    security = models.CharField(
        _("Verschlüsselung"), max_length=10, choices=Security.choices, default=Security.TLS
    )
    username = models.CharField(_("Benutzername"), max_length=200)
    auth = models.CharField(
        _("Anmeldung"), max_length=10, choices=AuthMethod.choices, default=AuthMethod.PASSWORD
    )
    # A reference, never the secret in clear: "env:NAME" (read from the
    # environment) or "fernet:…" (encrypted with BUERGERTICKET_SECRETS_KEYS).
    # Holds the password, or the OAuth2 client secret.
    secret = models.TextField(blank=True)
    oauth_tenant = models.CharField(_("Mandanten-ID (Tenant)"), max_length=100, blank=True)
    oauth_client_id = models.CharField(_("Anwendungs-ID (Client-ID)"), max_length=200, blank=True)
    oauth_token_url = models.URLField(_("Token-Adresse"), max_length=300, blank=True)
    oauth_scope = models.CharField(_("Bereich (Scope)"), max_length=300, blank=True)
    folder = models.CharField(_("Ordner, der gelesen wird"), max_length=200, default="INBOX")
    done_action = models.CharField(
        _("Nach der Übernahme"), max_length=10, choices=DoneAction.choices, default=DoneAction.MOVE
    )
    done_folder = models.CharField(
        _("Ordner für übernommene Nachrichten"), max_length=200, default="Bürgerticket/Erledigt"
    )
    quarantine_folder = models.CharField(
        _("Ordner für Nachrichten in Quarantäne"),
        max_length=200,
        default="Bürgerticket/Quarantäne",
        blank=True,
    )
    # On the first connection: take over what is already in the folder, or
    # start with the next message that arrives.
    import_existing = models.BooleanField(_("Vorhandene Nachrichten übernehmen"), default=True)
    mode = models.CharField(
        _("Abruf"), max_length=10, choices=FetchMode.choices, default=FetchMode.IDLE
    )
    poll_seconds = models.PositiveIntegerField(
        _("Abrufintervall (Sekunden)"), default=60, validators=[MinValueValidator(10)]
    )
    max_megabytes = models.PositiveIntegerField(
        _("Größte Nachricht (MB)"),
        default=25,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Sammelpostfach")
        verbose_name_plural = _("Sammelpostfächer")
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="mailbox_name_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"

    @property
    def max_bytes(self) -> int:
        return self.max_megabytes * 1024 * 1024


class MailboxState(models.Model):
    """What the fetcher knows about a mailbox; kept apart from the configuration
    so an administrator saving the form never overwrites it."""

    mailbox = models.OneToOneField(Mailbox, on_delete=models.CASCADE, related_name="state")
    # Only one process reads a mailbox at a time: it holds this lease.
    lease_owner = models.CharField(max_length=200, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    # Position in the folder: UIDs are only meaningful with their UIDVALIDITY.
    folder = models.CharField(max_length=200, blank=True)
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    last_poll_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    fetched_total = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.mailbox_id}: {self.folder} {self.uidvalidity}/{self.last_uid}"


class Result(models.TextChoices):
    CREATED = "created", _("neuer Vorgang")
    THREADED = "threaded", _("einem Vorgang zugeordnet")
    IGNORED = "ignored", _("nicht als Anliegen übernommen")
    QUARANTINED = "quarantined", _("in Quarantäne")


class Source(models.TextChoices):
    IMAP = "imap", _("IMAP")
    LMTP = "lmtp", _("LMTP")
    SMTP = "smtp", _("SMTP")
    FILE = "file", _("Datei / Kommandozeile")


class Resolution(models.TextChoices):
    RETRIED = "retried", _("erneut verarbeitet")
    DISCARDED = "discarded", _("verworfen")


def raw_path(instance: MailReceipt, filename: str) -> str:
    day = instance.received_at
    return f"mail/{instance.organisation_id}/{day:%Y/%m}/{instance.sha256[:24]}.eml"


class MailReceipt(models.Model):
    """One delivery of one mail to one organisation, and what became of it.

    Written in the same transaction as the case change it records. ``source_key``
    makes delivery idempotent: IMAP uses mailbox, folder, UIDVALIDITY and UID;
    the listener and the command line the SHA-256 of the bytes. Across delivery
    paths Message-ID and sender keep a mail from reaching a case twice in the
    same organisation (one mail to two organisations opens one case in each).
    """

    # Covered by the composite indexes in Meta, as is ``case``.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    mailbox = models.ForeignKey(
        Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="receipts"
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    source_key = models.CharField(max_length=300)
    message_id = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(default=0)
    sender = models.CharField(_("Absender"), max_length=300, blank=True)
    reply_to = models.CharField(max_length=300, blank=True)
    subject = models.CharField(_("Betreff"), max_length=300, blank=True)
    received_at = models.DateTimeField(_("Eingang"))
    result = models.CharField(_("Ergebnis"), max_length=12, choices=Result.choices)
    reason = models.CharField(max_length=40, blank=True)
    detail = models.TextField(_("Begründung"), blank=True)
    case = models.ForeignKey(
        Case,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mail_receipts",
        db_index=False,
    )
    # The other case a mail referred to (foreign sender, follow-up of a closed case).
    related_case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    automated = models.BooleanField(default=False)
    raw = models.FileField(upload_to=raw_path, max_length=300, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("E-Mail-Eingang")
        verbose_name_plural = _("E-Mail-Eingänge")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "source_key"], name="mail_receipt_source_unique"
            ),
            # The last line of defence against two processes filing one mail twice.
            models.UniqueConstraint(
                fields=["organisation", "message_id", "sender"],
                condition=Q(result__in=["created", "threaded"]),
                name="mail_receipt_once_per_case",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "message_id"], name="mail_receipt_msgid"),
            models.Index(
                fields=["organisation", "result", "received_at"], name="mail_receipt_result"
            ),
            # Loop protection counts the cases one sender opened in the last hour.
            models.Index(
                fields=["organisation", "sender", "processed_at"], name="mail_receipt_sender"
            ),
            models.Index(fields=["case", "result"], name="mail_receipt_case"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} → {self.result}"

    @property
    def open_in_quarantine(self) -> bool:
        return self.result == Result.QUARANTINED and self.resolved_at is None
