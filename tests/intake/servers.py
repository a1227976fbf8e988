"""Real mail servers for tests and benchmarks.

* :class:`Dovecot` – Debian's Dovecot with a throw-away configuration: its own
  base directory, TLS certificate, passwd-file users (one per test, so tests
  never share a mailbox), Maildir storage owned by ``nobody`` (the tests run
  as root and Dovecot refuses mail access as root), IMAP and IMAPS on free
  ports, and an OAuth2 passdb for XOAUTH2.
* :class:`OAuthServer` – an OAuth2 token endpoint (client credentials, like
  Microsoft's identity platform) with the introspection endpoint Dovecot asks.
* :class:`SmtpCapture` – an aiosmtpd server recording what it receives, and
  answering with scripted failures when asked to.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import itertools
import json
import os
import secrets
import shutil
import socket
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

DOVECOT = "/usr/sbin/dovecot"
NOBODY = 65534
_accounts = itertools.count(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"Port {port} öffnet sich nicht")


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=7))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


# --- OAuth2 -------------------------------------------------------------------


@dataclass
class OAuthServer:
    """Client-credentials tokens for registered apps; each app may open one mailbox."""

    port: int = field(default_factory=free_port)
    clients: dict[str, tuple[str, str]] = field(default_factory=dict)  # id → (secret, user)
    tokens: dict[str, str] = field(default_factory=dict)  # token → user
    requests: list[dict[str, str]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def register(self, client_id: str, secret: str, user: str) -> None:
        self.clients[client_id] = (secret, user)

    def revoke_all(self) -> None:
        self.tokens.clear()

    def start(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, status: int, data: dict[str, Any]) -> None:
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                owner.requests.append({"path": self.path, **form})
                if self.path.endswith("/token"):
                    client = owner.clients.get(form.get("client_id", ""))
                    if (
                        form.get("grant_type") != "client_credentials"
                        or client is None
                        or client[0] != form.get("client_secret")
                    ):
                        self._reply(
                            401,
                            {
                                "error": "invalid_client",
                                "error_description": "AADSTS7000215: Invalid client secret"
                                " provided.",
                            },
                        )
                        return
                    token = secrets.token_urlsafe(24)
                    owner.tokens[token] = client[1]
                    self._reply(
                        200, {"access_token": token, "token_type": "Bearer", "expires_in": 3599}
                    )
                elif self.path == "/introspect":
                    user = owner.tokens.get(form.get("token", ""))
                    if user is None:
                        self._reply(200, {"active": "false"})
                    else:
                        self._reply(200, {"active": "true", "username": user})
                else:
                    self._reply(404, {"error": "not_found"})

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


# --- Dovecot --------------------------------------------------------------------


@dataclass
class Account:
    user: str
    password: str
    home: Path

    @property
    def maildir(self) -> Path:
        return self.home / "Maildir"


class Dovecot:
    def __init__(self, root: Path, *, oauth_url: str = ""):
        self.root = root
        self.oauth_url = oauth_url
        self.imap_port = free_port()
        self.imaps_port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.homes = root / "home"
        self.cafile = root / "cert.pem"
        # One password for every test account (passwd-file reloads race with
        # accounts added within the same second); accounts differ by name.
        self.password = secrets.token_urlsafe(12)

    def _config(self, cert: Path, key: Path) -> str:
        r = self.root
        oauth = ""
        if self.oauth_url:
            (r / "oauth2.conf.ext").write_text(
                "introspection_mode = post\n"
                f"introspection_url = {self.oauth_url}/introspect\n"
                "username_attribute = username\n"
                "active_attribute = active\n"
                "active_value = true\n"
                "force_introspection = yes\n"
            )
            oauth = (
                "passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n"
                f"  args = {r}/oauth2.conf.ext\n}}\n"
            )
        return f"""
instance_name = bt-test-{self.imap_port}
base_dir = {r}/run
state_dir = {r}/state
log_path = {r}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
ssl_dh = </usr/share/dovecot/dh.pem
disable_plaintext_auth = no
default_internal_user = dovecot
default_internal_group = dovecot
default_login_user = dovenull
auth_mechanisms = plain login xoauth2 oauthbearer
auth_cache_size = 0
passdb {{
  driver = static
  mechanisms = plain login
  args = password={self.password}
}}
{oauth}
userdb {{
  driver = static
  args = uid={NOBODY} gid={NOBODY} home={self.homes}/%u
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
  inet_listener imap {{
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    port = {self.imaps_port}
    ssl = yes
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
"""

    def start(self) -> None:
        for sub in ("run", "state", "home"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o755)
        os.chown(self.homes, NOBODY, NOBODY)
        cert, key = self_signed_certificate(self.root)
        conf = self.root / "dovecot.conf"
        conf.write_text(self._config(cert, key))
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        try:
            wait_for_port(self.imaps_port)
            wait_for_port(self.imap_port)
        except RuntimeError:
            self.stop()
            log = (
                (self.root / "dovecot.log").read_text()
                if (self.root / "dovecot.log").exists()
                else ""
            )
            raise RuntimeError(f"Dovecot startet nicht:\n{log}") from None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def account(self, name: str = "") -> Account:
        """A fresh mailbox user of its own."""
        user = f"{name or 'postfach'}{next(_accounts)}-{os.getpid()}@musterstadt.example"
        return Account(user, self.password, self.homes / user)

    def client(self, account: Account) -> Any:
        import ssl

        from imapclient import IMAPClient

        context = ssl.create_default_context(cafile=str(self.cafile))
        client = IMAPClient("127.0.0.1", port=self.imaps_port, ssl=True, ssl_context=context)
        client.login(account.user, account.password)
        return client

    def append(self, account: Account, messages: list[bytes], folder: str = "INBOX") -> None:
        client = self.client(account)
        try:
            for raw in messages:
                client.append(folder, raw)
        finally:
            client.logout()

    def seed_maildir(self, account: Account, messages: list[bytes]) -> None:
        """Write messages straight into the Maildir (fast, for the 10,000-message bench);
        Dovecot indexes them when the folder is opened."""
        new = account.maildir / "new"
        for sub in ("new", "cur", "tmp"):
            (account.maildir / sub).mkdir(parents=True, exist_ok=True)
        stamp = int(time.time())
        for index, raw in enumerate(messages):
            (new / f"{stamp}.M{index}P{os.getpid()}.bench").write_bytes(raw)
        for path in (account.home, *account.home.rglob("*")):
            os.chown(path, NOBODY, NOBODY)

    def folder_uids(self, account: Account, folder: str = "INBOX") -> list[int]:
        client = self.client(account)
        try:
            if not client.folder_exists(folder):
                return []
            client.select_folder(folder, readonly=True)
            return list(client.search(["NOT", "DELETED"]))
        finally:
            client.logout()

    def flags(self, account: Account, folder: str = "INBOX") -> dict[int, tuple[bytes, ...]]:
        client = self.client(account)
        try:
            client.select_folder(folder, readonly=True)
            uids = client.search(["ALL"])
            return {uid: data[b"FLAGS"] for uid, data in client.fetch(uids, ["FLAGS"]).items()}
        finally:
            client.logout()

    def remove_account(self, account: Account) -> None:
        shutil.rmtree(account.home, ignore_errors=True)


# --- SMTP -----------------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes


class SmtpCapture:
    """aiosmtpd on a free port; ``fail_next(code, times)`` scripts DATA failures."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[Received] = []
        self._failures: list[str] = []
        self.refuse_rcpt: dict[str, str] = {}

    def fail_next(self, reply: str, times: int = 1) -> None:
        self._failures += [reply] * times

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        owner = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, options):
                if address.lower() in owner.refuse_rcpt:
                    return owner.refuse_rcpt[address.lower()]
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                if owner._failures:
                    return owner._failures.pop(0)
                owner.messages.append(
                    Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
                )
                return "250 OK"

        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()
