"""``buergerticket ingest-mail`` and ``buergerticket mail …``."""

from __future__ import annotations

import io
import json
import sys

import pytest

from buergerticket.cli import main
from buergerticket.intake.models import Mailbox
from tests.intake import mails

pytestmark = pytest.mark.django_db

FIELDS = {
    "source",
    "message_id",
    "result",
    "file_number",
    "service",
    "owner",
    "reason",
    "automated",
    "detail",
    "receipt",
}


def _lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


def test_files_and_a_maildir_go_through_the_channel_one_json_line_each(tmp_path, catalog, capsys):
    first = tmp_path / "erste.eml"
    first.write_bytes(mails.message(message_id="<erste@example.org>", subject="Laterne"))
    broken = tmp_path / "kaputt.eml"
    broken.write_bytes(b"kein Kopf\r\n")
    maildir = tmp_path / "Maildir"
    for sub in ("new", "cur", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "new" / "1.host").write_bytes(
        mails.message(subject="Nachtrag", in_reply_to="<erste@example.org>")
    )
    (maildir / "cur" / "2.host:2,S").write_bytes(
        mails.message(headers={"Auto-Submitted": "auto-replied"}, subject="Abwesend")
    )
    status = main(["ingest-mail", "--org", "musterstadt", str(first), str(broken), str(maildir)])
    assert status == 0
    lines = _lines(capsys)
    assert [set(line) for line in lines] == [FIELDS] * 4
    assert [line["result"] for line in lines] == ["created", "quarantined", "threaded", "ignored"]
    created, quarantined, threaded, ignored = lines
    assert created["message_id"] == "<erste@example.org>"
    assert created["service"] == "allgemein" and created["owner"] == "m.yilmaz"
    assert created["automated"] is False
    assert threaded["file_number"] == created["file_number"]
    assert quarantined["reason"] == "unreadable" and quarantined["file_number"] is None
    assert ignored["reason"] == "auto_reply"
    # The same files again: handled, nothing new.
    assert main(["ingest-mail", "--org", "musterstadt", str(first)]) == 0
    assert _lines(capsys)[0]["reason"] == "duplicate"


def test_standard_input_for_mail_server_pipes(catalog, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(mails.message())))
    assert main(["ingest-mail", "--org", "stadtwerke", "-"]) == 0
    [line] = _lines(capsys)
    assert line["result"] == "created" and line["file_number"].startswith("SW-")


def test_wrong_input_is_a_usage_error(tmp_path, catalog, capsys):
    assert main(["ingest-mail", "--org", "gibtsnicht", str(tmp_path)]) == 2
    assert "Organisation „gibtsnicht“ gibt es nicht" in capsys.readouterr().err
    assert main(["ingest-mail", "--org", "musterstadt", str(tmp_path / "fehlt.eml")]) == 2
    assert "gibt es nicht" in capsys.readouterr().err


def test_mailbox_commands(musterstadt, capsys, settings, monkeypatch):
    assert main(["mail", "generate-key"]) == 0
    key = capsys.readouterr().out.strip()
    settings.SECRETS_KEYS = [key]
    box = Mailbox.objects.create(
        organisation=musterstadt,
        name="Bürgerservice",
        address="postfach@musterstadt.example",
        host="imap.musterstadt.example",
        username="postfach",
    )
    monkeypatch.setattr(sys, "stdin", io.StringIO("geheim\n"))
    assert main(["mail", "set-secret", "--mailbox", str(box.pk)]) == 0
    box.refresh_from_db()
    assert box.secret.startswith("fernet:") and "geheim" not in box.secret
    assert main(["mail", "set-secret", "--mailbox", str(box.pk), "--env", "BT_PW"]) == 0
    box.refresh_from_db()
    assert box.secret == "env:BT_PW"
    capsys.readouterr()
    assert main(["mail", "mailboxes", "--org", "musterstadt"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["address"] == "postfach@musterstadt.example"
    assert row["secret"] == "aus Umgebungsvariable BT_PW"
    assert main(["mail", "set-secret", "--mailbox", str(box.pk), "--env", "klein"]) == 2


def test_mail_fetch_command(dovecot, musterstadt, settings, capsys):
    from buergerticket.intake.mail import secrets

    settings.SECRETS_KEYS = [secrets.generate_key()]
    settings.MAIL_CA_FILE = str(dovecot.cafile)
    account = dovecot.account()
    box = Mailbox.objects.create(
        organisation=musterstadt,
        name="Abruf",
        address=account.user,
        host="127.0.0.1",
        port=dovecot.imaps_port,
        username=account.user,
        secret=secrets.encrypt(account.password),
    )
    dovecot.append(account, [mails.message(), mails.message(subject="Zwei")])
    assert main(["mail", "fetch", "--mailbox", str(box.pk)]) == 0
    [line] = _lines(capsys)
    assert line == {
        "mailbox": box.pk,
        "address": account.user,
        "fetched": 2,
        "created": 2,
        "error": "",
    }


def test_secrets_survive_key_rotation(musterstadt, capsys, settings):
    from buergerticket.intake.mail import secrets

    old, new = secrets.generate_key(), secrets.generate_key()
    settings.SECRETS_KEYS = [old]
    box = Mailbox.objects.create(
        organisation=musterstadt,
        name="Rotation",
        address="rotation@musterstadt.example",
        host="imap.example",
        username="r",
        secret=secrets.encrypt("geheim"),
    )
    settings.SECRETS_KEYS = [new, old]  # the new key in front, the old one still readable
    assert main(["mail", "rotate-secrets"]) == 0
    box.refresh_from_db()
    settings.SECRETS_KEYS = [new]  # the old key can go now
    assert secrets.reveal(box.secret) == "geheim"
    settings.SECRETS_KEYS = [secrets.generate_key()]
    assert main(["mail", "rotate-secrets"]) == 2
    assert "alte Schlüssel fehlt" in capsys.readouterr().err
