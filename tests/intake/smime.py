"""Real S/MIME-signed test mail (RFC 8551, detached signature), made with `cryptography`."""

from __future__ import annotations

import datetime as dt
import functools
from email.message import EmailMessage

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID


@functools.lru_cache(maxsize=1)
def _identity() -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.EMAIL_ADDRESS, "erika@example.org")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return cert, key


def signed_mail(text: str, *, subject: str = "Signiert") -> bytes:
    cert, key = _identity()
    inner = EmailMessage()
    inner.set_content(text)
    content = inner.as_bytes().replace(b"\n", b"\r\n").replace(b"\r\r\n", b"\r\n")
    signed = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(content)
        .add_signer(cert, key, hashes.SHA256())
        .sign(serialization.Encoding.SMIME, [pkcs7.PKCS7Options.DetachedSignature])
    )
    head = (
        "From: Erika Mustermann <erika@example.org>\r\n"
        "To: buergerservice@musterstadt.example\r\n"
        f"Subject: {subject}\r\n"
        "Message-ID: <smime-1@example.org>\r\n"
        "Date: Fri, 20 Nov 2026 10:00:00 +0100\r\n"
    ).encode()
    return head + signed.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
