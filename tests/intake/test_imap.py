"""Reading shared mailboxes from a real IMAP server (Dovecot)."""

from __future__ import annotations

import shutil
import time

import pytest

from buergerticket.cases.models import Case, Message
from buergerticket.intake.mail import fetcher, secrets
from buergerticket.intake.models import AuthMethod, DoneAction, Mailbox, MailboxState, MailReceipt
from tests.intake import mails

pytestmark = pytest.mark.django_db
KEY = secrets.generate_key()


@pytest.fixture
def mailbox(dovecot, musterstadt, settings):
    """``mailbox(**fields)``: a fresh Dovecot account and its Mailbox row (TLS, password)."""
    settings.SECRETS_KEYS = [KEY]
    settings.MAIL_CA_FILE = str(dovecot.cafile)

    def make(**fields):
        account = dovecot.account()
        values = {
            "organisation": musterstadt,
            "name": account.user.split("@")[0],
            "address": account.user,
            "host": "127.0.0.1",
            "port": dovecot.imaps_port,
            "username": account.user,
            "secret": secrets.encrypt(account.password),
            "mode": "poll",
        }
        values.update(fields)
        box = Mailbox.objects.create(**values)
        box.account = account
        return box

    return make


def _set(box: Mailbox, **fields: object) -> Mailbox:
    Mailbox.objects.filter(pk=box.pk).update(**fields)
    account = box.account  # type: ignore[attr-defined]
    box.refresh_from_db()
    box.account = account  # type: ignore[attr-defined]
    return box


def test_drain_turns_every_kind_of_mail_into_its_result_and_moves_it(dovecot, mailbox):
    box = mailbox()
    first = mails.message(message_id="<first@example.org>", subject="Laterne")
    reply = mails.message(subject="Nachtrag", in_reply_to="<first@example.org>")
    auto = mails.message(headers={"Auto-Submitted": "auto-replied"}, subject="Abwesend")
    broken = mails.raw([("Subject", "ohne Absender")], b"Text")
    dovecot.append(box.account, [first, reply, auto, broken])
    stats = fetcher.poll(box)
    assert stats.error == ""
    assert stats.results == {"created": 1, "threaded": 1, "ignored": 1, "quarantined": 1}
    case = Case.objects.get()
    assert Message.objects.filter(case=case).count() == 2
    # Nothing stays "somewhere in the inbox".
    assert dovecot.folder_uids(box.account) == []
    assert len(dovecot.folder_uids(box.account, "Bürgerticket/Erledigt")) == 3
    assert len(dovecot.folder_uids(box.account, "Bürgerticket/Quarantäne")) == 1
    state = MailboxState.objects.get(mailbox=box)
    assert state.last_uid == 4 and state.last_success_at is not None and state.failures == 0
    assert fetcher.poll(box).fetched == 0


def test_flag_mode_leaves_mail_in_the_inbox_and_never_reads_it_twice(dovecot, mailbox):
    box = mailbox(done_action=DoneAction.FLAG)
    dovecot.append(box.account, [mails.message(), mails.message(subject="Zweite")])
    assert fetcher.poll(box).results == {"created": 2}
    flags = dovecot.flags(box.account)
    assert all(b"\\Seen" in f and b"$Buergerticket" in f for f in flags.values())
    # Someone marks them unread in their mail client: still nothing new for us.
    client = dovecot.client(box.account)
    client.select_folder("INBOX")
    client.remove_flags(list(flags), [b"\\Seen"])
    client.logout()
    assert fetcher.poll(box).fetched == 0
    dovecot.append(box.account, [mails.message(subject="Dritte")])
    assert fetcher.poll(box).results == {"created": 1}
    assert Case.objects.count() == 3


def test_new_uidvalidity_rereads_the_folder_without_duplicates(dovecot, mailbox):
    box = mailbox(done_action=DoneAction.FLAG)
    dovecot.append(box.account, [mails.message(), mails.message(subject="Zweite")])
    fetcher.poll(box)
    old = MailboxState.objects.get(mailbox=box).uidvalidity
    # The server loses its UID list (restore from backup, migration): new UIDVALIDITY.
    maildir = box.account.maildir
    for path in maildir.glob("dovecot*"):
        path.unlink() if path.is_file() else shutil.rmtree(path)
    time.sleep(1.1)  # UIDVALIDITY is a timestamp in seconds
    dovecot.append(box.account, [mails.message(subject="Dritte")])
    stats = fetcher.poll(box)
    state = MailboxState.objects.get(mailbox=box)
    assert state.uidvalidity != old
    assert stats.fetched == 3
    assert stats.results == {"ignored": 2, "created": 1}
    assert Case.objects.count() == 3


def test_crash_between_commit_and_move_reads_again_without_duplicate(dovecot, mailbox, monkeypatch):
    """The process dies right after the second case is committed, before anything is moved."""
    box = mailbox()
    dovecot.append(box.account, [mails.message(subject=f"Nr. {i}") for i in range(3)])
    real_ingest = fetcher.ingest
    calls = []

    class Crash(BaseException):
        pass

    def ingest_then_die(*args, **kwargs):
        outcome = real_ingest(*args, **kwargs)
        calls.append(outcome.result)
        if len(calls) == 2:
            raise Crash
        return outcome

    monkeypatch.setattr(fetcher, "ingest", ingest_then_die)
    with pytest.raises(Crash):
        fetcher.poll(box)
    assert Case.objects.count() == 2
    assert len(dovecot.folder_uids(box.account)) == 3  # nothing moved yet
    MailboxState.objects.update(lease_until=None)  # the dead process's lease
    monkeypatch.setattr(fetcher, "ingest", real_ingest)
    stats = fetcher.poll(box)
    assert stats.results == {"ignored": 2, "created": 1}
    assert Case.objects.count() == 3
    assert MailReceipt.objects.filter(result="created").count() == 3
    assert dovecot.folder_uids(box.account) == []


def test_login_failure_is_recorded_and_backs_off(dovecot, mailbox):
    box = mailbox()
    box = _set(box, secret=secrets.encrypt("falsch"))
    stats = fetcher.poll(box)
    assert "Anmeldung" in stats.error and "abgelehnt" in stats.error
    state = MailboxState.objects.get(mailbox=box)
    assert state.failures == 1 and "abgelehnt" in state.last_error
    assert state.next_poll_at is not None and state.lease_until is None  # mailbox lease


def test_missing_secret_and_unreachable_server_give_german_reasons(dovecot, mailbox):
    box = mailbox()
    box = _set(box, secret="env:BT_TEST_NICHT_GESETZT")
    assert "BT_TEST_NICHT_GESETZT" in fetcher.poll(box).error
    from tests.intake.servers import free_port

    box = _set(box, secret=secrets.encrypt(box.account.password), port=free_port())
    assert "Keine Verbindung" in fetcher.poll(box).error


def test_tls_certificate_is_verified(dovecot, mailbox, settings):
    box = mailbox()
    settings.MAIL_CA_FILE = ""  # the test server's certificate is not in the system store
    assert "TLS" in fetcher.poll(box).error


def test_starttls_and_environment_secret(dovecot, mailbox, monkeypatch):
    box = mailbox(security="starttls")
    box = _set(box, port=dovecot.imap_port, secret="env:BT_TEST_MAIL_PASSWORT")
    monkeypatch.setenv("BT_TEST_MAIL_PASSWORT", box.account.password)
    dovecot.append(box.account, [mails.message()])
    assert fetcher.poll(box).results == {"created": 1}
    assert fetcher.check(box).startswith("Verbindung erfolgreich")


def test_oauth2_xoauth2_with_client_credentials(dovecot, mailbox, oauth_server):
    box = mailbox(auth=AuthMethod.OAUTH2)
    client_id = f"app-{box.pk}"
    oauth_server.register(client_id, "geheimes-secret", box.account.user)
    box = _set(
        box,
        oauth_client_id=client_id,
        oauth_token_url=f"{oauth_server.url}/tenant-1/token",
        oauth_scope="https://outlook.office365.com/.default",
        secret=secrets.encrypt("geheimes-secret"),
    )
    dovecot.append(box.account, [mails.message()])
    assert fetcher.poll(box).results == {"created": 1}
    token_requests = [r for r in oauth_server.requests if r["path"].endswith("/token")]
    assert token_requests[-1]["scope"] == "https://outlook.office365.com/.default"
    assert token_requests[-1]["grant_type"] == "client_credentials"
    # The token is reused until it expires; a revoked one is replaced once.
    count = len(token_requests)
    fetcher.poll(box)
    assert len([r for r in oauth_server.requests if r["path"].endswith("/token")]) == count
    oauth_server.revoke_all()
    dovecot.append(box.account, [mails.message(subject="Nach Widerruf")])
    assert fetcher.poll(box).results == {"created": 1}


def test_oauth2_wrong_client_secret_shows_the_providers_reason(dovecot, mailbox, oauth_server):
    box = mailbox(auth=AuthMethod.OAUTH2)
    oauth_server.register(f"app-{box.pk}", "richtig", box.account.user)
    box = _set(
        box,
        oauth_client_id=f"app-{box.pk}",
        oauth_token_url=f"{oauth_server.url}/tenant-1/token",
        secret=secrets.encrypt("falsch"),
    )
    error = fetcher.poll(box).error
    assert "AADSTS7000215" in error and "401" in error


def test_oversize_mail_is_quarantined_from_its_header_and_left_on_the_server(dovecot, mailbox):
    box = mailbox(max_megabytes=1)
    big = mails.message(attachments=[("plan.pdf", "application/pdf", b"%PDF" + b"0" * 2_400_000)])
    dovecot.append(box.account, [big])
    stats = fetcher.poll(box)
    assert stats.results == {"quarantined": 1}
    receipt = MailReceipt.objects.get()
    assert receipt.reason == "too_large" and "Kopfzeilen" in receipt.detail
    assert receipt.size > 2_000_000 and len(receipt.raw.read()) < 10_000
    assert len(dovecot.folder_uids(box.account, "Bürgerticket/Quarantäne")) == 1


def test_existing_mail_can_be_left_alone_on_first_connection(dovecot, mailbox):
    box = mailbox(import_existing=False)
    dovecot.append(box.account, [mails.message(subject="Alt")])
    assert fetcher.poll(box).fetched == 0
    dovecot.append(box.account, [mails.message(subject="Neu")])
    assert fetcher.poll(box).results == {"created": 1}
    assert Case.objects.get().subject == "Neu"


def test_only_one_reader_per_mailbox(dovecot, mailbox):
    from django.utils import timezone

    box = mailbox()
    dovecot.append(box.account, [mails.message()])
    MailboxState.objects.update_or_create(
        mailbox=box,
        defaults={
            "lease_owner": "anderer-worker:1:1",
            "lease_until": timezone.now() + timezone.timedelta(minutes=1),
        },
    )
    assert "anderen Prozess" in fetcher.poll(box).error
    assert Case.objects.count() == 0


def test_every_kind_of_message_through_dovecot(dovecot, mailbox):
    """Umlaut headers, three charsets, HTML only, non-ASCII attachment names, an
    inline image, S/MIME, broken and oversize mail: each reaches its result."""
    from email import message_from_bytes, policy

    from buergerticket.cases.models import Document
    from tests.intake.smime import signed_mail

    inline = message_from_bytes(
        mails.message(subject="Inline", html='<p><img src="cid:foto1" alt="Foto"></p>'),
        policy=policy.default,
    )
    inline.get_body(("html",)).add_related(
        b"\x89PNG\r\n\x1a\nxx", maintype="image", subtype="png", cid="<foto1>"
    )
    charset = {
        "utf-8": "Grüße – 10 €".encode(),
        "iso-8859-1": "Grüße aus Köln".encode("latin-1"),
        "windows-1252": "Grüße – 10 €".encode("cp1252"),
    }
    samples = [
        mails.raw(
            [
                ("From", "=?utf-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.org>"),
                ("Subject", "=?utf-8?Q?Stra=C3=9Fenlaterne_in_der_K=C3=B6lner_Str=2E?="),
                ("Message-ID", "<umlaut@example.org>"),
            ],
            b"Hallo",
        ),
        *[
            mails.raw(
                mails.simple_headers(
                    subject=f"Zeichensatz {name}",
                    **{
                        "Content-Type": f"text/plain; charset={name}",
                        "Content-Transfer-Encoding": "8bit",
                    },
                ),
                body,
            )
            for name, body in charset.items()
        ],
        mails.raw(
            mails.simple_headers(
                subject="Nur HTML", **{"Content-Type": "text/html; charset=utf-8"}
            ),
            b"<p>Nur <b>HTML</b></p><script>alert(1)</script>",
        ),
        mails.message(
            subject="Anhang", attachments=[("Übersicht Straße.pdf", "application/pdf", b"%PDF-1")]
        ),
        inline.as_bytes(),
        signed_mail("Signierter Antrag."),
        mails.raw([("Subject", "kaputt, ohne Absender")], b"x"),
        mails.message(
            subject="Zu groß", attachments=[("g.bin", "application/octet-stream", b"0" * 1_200_000)]
        ),
    ]
    box = _set(mailbox(), max_megabytes=1)
    dovecot.append(box.account, samples)
    stats = fetcher.poll(box)
    assert stats.results == {"created": 8, "quarantined": 2}
    cases = {c.subject: c for c in Case.objects.all()}
    assert cases["Straßenlaterne in der Kölner Str."].requester_name == "Jürgen Müller"
    assert cases["Zeichensatz utf-8"].text == "Grüße – 10 €"
    assert cases["Zeichensatz iso-8859-1"].text == "Grüße aus Köln"
    assert cases["Zeichensatz windows-1252"].text == "Grüße – 10 €"
    assert cases["Nur HTML"].text == "Nur HTML"
    assert Message.objects.get(case=cases["Nur HTML"]).body_html.startswith("<p>Nur")
    assert Document.objects.filter(case=cases["Anhang"], name="Übersicht Straße.pdf").exists()
    assert Document.objects.filter(case=cases["Inline"], content_type="image/png").exists()
    assert cases["Signiert"].text == "Signierter Antrag."
    assert Document.objects.filter(case=cases["Signiert"], name="smime.p7s").exists()
    reasons = set(MailReceipt.objects.filter(result="quarantined").values_list("reason", flat=True))
    assert reasons == {"no_sender", "too_large"}
    assert dovecot.folder_uids(box.account) == []
