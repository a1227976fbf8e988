"""A real process is killed between committing cases and moving their mails on the server.

The process runs against its own SQLite file (the embedded default), as the
worker would; after the kill a new process polls again. No mail may be lost,
none may open a second case.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from buergerticket.intake.mail import secrets
from tests.intake import mails

ROOT = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).with_name("crash_runner.py")


@pytest.fixture
def process_env():
    home = tempfile.mkdtemp(prefix="bt-crash-")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "BUERGERTICKET_HOME"}
    }
    env.update(
        BUERGERTICKET_MODE="development",
        BUERGERTICKET_HOME=home,
        BUERGERTICKET_SECRETS_KEYS=secrets.generate_key(),
        PYTHONPATH=f"{ROOT / 'src'}:{ROOT}",
    )
    return env


def _run(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{args} → {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


@pytest.mark.slow
def test_killed_after_commit_before_move_loses_and_duplicates_nothing(dovecot, process_env):
    process_env["BUERGERTICKET_MAIL_CA_FILE"] = str(dovecot.cafile)
    account = dovecot.account()
    dovecot.append(account, [mails.message(subject=f"Anliegen {i}") for i in range(4)])
    prepared = _run(
        process_env,
        str(RUNNER),
        "prepare",
        "127.0.0.1",
        str(dovecot.imaps_port),
        account.user,
        account.password,
    )
    mailbox_id = prepared.stdout.strip().splitlines()[-1]

    killed = _run(process_env, str(RUNNER), "poll", mailbox_id, "2", check=False)
    assert killed.returncode == 137, killed.stderr
    report = json.loads(_run(process_env, str(RUNNER), "report").stdout)
    assert report == {"cases": 2, "receipts": {"created": 2}}
    assert len(dovecot.folder_uids(account)) == 4  # committed, but not yet moved

    # The next worker run, once the dead process's lease has run out.
    _run(process_env, str(RUNNER), "report", "--expire-leases")
    again = json.loads(_run(process_env, str(RUNNER), "poll", mailbox_id).stdout.splitlines()[-1])
    assert again["error"] == ""
    assert (again["fetched"], again.get("ignored"), again.get("created")) == (4, 2, 2)
    report = json.loads(_run(process_env, str(RUNNER), "report").stdout)
    assert report == {"cases": 4, "receipts": {"created": 4}}
    assert dovecot.folder_uids(account) == []
    assert len(dovecot.folder_uids(account, "Bürgerticket/Erledigt")) == 4


@pytest.mark.slow
def test_processes_delivering_one_mail_at_once_file_it_once(process_env, tmp_path):
    """Four processes (as LMTP and IMAP would) deliver the same mail to one
    SQLite file at the same moment: one case, three duplicates."""
    _run(process_env, str(RUNNER), "prepare")
    raw = mails.message(message_id="<gleichzeitig@example.org>")
    files = []
    for path in range(4):
        file = tmp_path / f"pfad-{path}.eml"
        file.write_bytes(b"X-Pfad: %d\r\n" % path + raw)
        files.append(file)
    processes = [
        subprocess.Popen(
            [sys.executable, str(RUNNER), "ingest", str(file), f"pfad-{index}"],
            env=process_env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for index, file in enumerate(files)
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        results.append(json.loads(out.splitlines()[-1])["result"])
    assert sorted(results) == ["created", "ignored", "ignored", "ignored"]
    report = json.loads(_run(process_env, str(RUNNER), "report").stdout)
    assert report == {"cases": 1, "receipts": {"created": 1, "ignored": 3}}


@pytest.mark.slow
def test_listen_command_accepts_lmtp_and_stops_on_sigterm(process_env):
    import signal
    import smtplib

    from tests.intake.servers import free_port, wait_for_port

    _run(process_env, str(RUNNER), "prepare")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "buergerticket", "mail", "listen", "--port", str(port)],
        env=process_env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_port(port, timeout=60)
        client = smtplib.LMTP("127.0.0.1", port)
        refused = client.sendmail(
            "erika@example.org", ["buergerservice@musterstadt.example"], mails.message()
        )
        client.quit()
        assert refused == {}
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert server.returncode == 0, server.stderr.read() if server.stderr else ""
    report = json.loads(_run(process_env, str(RUNNER), "report").stdout)
    assert report == {"cases": 1, "receipts": {"created": 1}}


@pytest.mark.slow
def test_ingest_mail_in_two_processes_keeps_each_senders_order(process_env, tmp_path):
    _run(process_env, str(RUNNER), "prepare")
    folder = tmp_path / "mails"
    folder.mkdir()
    for person in range(4):
        sender = f"Person {person} <p{person}@example.net>"
        request_id = f"<anliegen-{person}@example.net>"
        (folder / f"{person}-1.eml").write_bytes(
            mails.message(sender=sender, message_id=request_id, subject=f"Anliegen {person}")
        )
        (folder / f"{person}-2.eml").write_bytes(
            mails.message(sender=sender, in_reply_to=request_id, subject="Nachtrag")
        )
    result = _run(
        process_env,
        "-m",
        "buergerticket",
        "ingest-mail",
        "--org",
        "musterstadt",
        "--jobs",
        "2",
        str(folder),
    )
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(line["result"] for line in lines) == ["created"] * 4 + ["threaded"] * 4
    report = json.loads(_run(process_env, str(RUNNER), "report").stdout)
    assert report == {"cases": 4, "receipts": {"created": 4, "threaded": 4}}
