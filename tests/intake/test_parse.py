"""Reading real-world mail: headers, charsets, HTML, attachments, signatures, breakage."""

from __future__ import annotations

import datetime as dt

import pytest

from buergerticket.intake.mail.parse import UnreadableMail, parse
from tests.intake import mails
from tests.intake.smime import signed_mail


def test_rfc2047_headers_with_umlauts_are_decoded():
    raw = mails.raw(
        [
            ("From", "=?utf-8?Q?J=C3=BCrgen_M=C3=BCller?= <Juergen@Example.org>"),
            ("To", "=?ISO-8859-1?Q?Stadt_M=FCnster?= <buergerservice@musterstadt.example>"),
            (
                "Subject",
                "=?utf-8?B?U3RyYcOfZW5sYXRlcm5lIGRlZmVrdA==?= in der "
                "=?iso-8859-1?q?K=F6lner_Str=2E?=",
            ),
            ("Message-ID", "<a1@example.org>"),
        ],
        b"Hallo",
    )
    mail = parse(raw)
    assert mail.subject == "Straßenlaterne defekt in der Kölner Str."
    assert mail.sender is not None
    assert mail.sender.name == "Jürgen Müller"
    assert mail.sender.email == "juergen@example.org"
    assert mail.to[0].name == "Stadt Münster"
    assert mail.message_id == "<a1@example.org>"


def test_display_name_with_encoded_comma_stays_one_address():
    raw = mails.raw(
        [
            ("From", "=?utf-8?Q?M=C3=BCller=2C_Hans?= <hans@example.org>"),
            ("Subject", "x"),
        ],
        b"x",
    )
    mail = parse(raw)
    assert mail.sender is not None
    assert (mail.sender.name, mail.sender.email) == ("Müller, Hans", "hans@example.org")


def test_raw_8bit_headers_in_utf8_and_windows_1252():
    utf8 = mails.raw([("From", "a@example.org"), ("Subject", "Straße")], b"x")
    assert parse(utf8).subject == "Straße"
    latin = mails.raw([("From", "a@example.org")], b"x").replace(
        b"\r\n\r\n", b"\r\nSubject: Stra\xdfe \x80 10\r\n\r\n", 1
    )
    assert parse(latin).subject == "Straße € 10"


@pytest.mark.parametrize(
    ("charset", "encoding", "body"),
    [
        ("utf-8", "8bit", "Grüße aus Köln – 10 € für „Straße“".encode()),
        (
            "utf-8",
            "quoted-printable",
            b"Gr=C3=BC=C3=9Fe aus K=C3=B6ln =E2=80=93 10 =E2=82=AC f=C3=BCr "
            b"=E2=80=9EStra=C3=9Fe=E2=80=9C",
        ),
        ("iso-8859-1", "quoted-printable", b"Gr=FC=DFe aus K=F6ln =96 10 =80 f=FCr =84Stra=DFe=93"),
        ("windows-1252", "8bit", "Grüße aus Köln – 10 € für „Straße“".encode("cp1252")),
        ("iso-8859-1", "base64", mails.b64("Grüße aus Köln – 10 € für „Straße“".encode("cp1252"))),
    ],
)
def test_bodies_in_utf8_latin1_and_windows_1252(charset, encoding, body):
    raw = mails.raw(
        mails.simple_headers(
            **{
                "Content-Type": f"text/plain; charset={charset}",
                "Content-Transfer-Encoding": encoding,
            }
        ),
        body,
    )
    assert parse(raw).text == "Grüße aus Köln – 10 € für „Straße“"


def test_wrongly_declared_and_unknown_charsets_still_give_text():
    utf8_as_ascii = mails.raw(
        mails.simple_headers(**{"Content-Type": "text/plain; charset=us-ascii"}), "Grüße".encode()
    )
    assert parse(utf8_as_ascii).text == "Grüße"
    unknown = mails.raw(
        mails.simple_headers(**{"Content-Type": "text/plain; charset=x-klingon"}),
        "Grüße".encode("cp1252"),
    )
    assert parse(unknown).text == "Grüße"


def test_html_only_mail_becomes_safe_text_and_keeps_the_original():
    html = (
        "<html><head><style>p {color:red}</style><script>alert('x')</script></head><body>"
        "<p>Sehr geehrte Damen und Herren,</p><p>die <b>Ampel</b> an der Kreuzung<br>ist aus.</p>"
        "<ul><li>seit Montag</li><li>nachts</li></ul>"
        '<p>Foto: <a href="https://fotos.example/ampel">hier</a></p>'
        "<div style='display:none'>versteckter Text</div></body></html>"
    )
    raw = mails.raw(
        mails.simple_headers(**{"Content-Type": "text/html; charset=utf-8"}), html.encode()
    )
    mail = parse(raw)
    assert mail.text == (
        "Sehr geehrte Damen und Herren,\n\ndie Ampel an der Kreuzung\nist aus.\n\n"
        "- seit Montag\n- nachts\n\nFoto: hier (https://fotos.example/ampel)"
    )
    assert "alert" not in mail.text and "versteckter" not in mail.text
    assert mail.html == html


def test_alternative_prefers_plain_text_and_keeps_html():
    raw = mails.message(body="Klartext", html="<p>HTML-Fassung</p>")
    mail = parse(raw)
    assert mail.text == "Klartext"
    assert "<p>HTML-Fassung</p>" in mail.html


def test_attachments_with_non_ascii_names_rfc2231_and_rfc2047():
    boundary = "b1"
    body = (
        f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSiehe Anhang.\r\n"
        f"--{boundary}\r\nContent-Type: application/pdf\r\n"
        "Content-Disposition: attachment; filename*=utf-8''Stra%C3%9Fenschaden%20Fo%CC%88to.pdf\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
        + mails.b64(b"%PDF-1.4 test").decode()
        + f'--{boundary}\r\nContent-Type: image/jpeg; name="=?utf-8?B?w5xiZXJzaWNodC5qcGc=?="\r\n'
        'Content-Disposition: attachment; filename="=?utf-8?B?w5xiZXJzaWNodC5qcGc=?="\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
        + mails.b64(b"\xff\xd8\xff\xe0jpeg").decode()
        + f"--{boundary}\r\nContent-Type: application/octet-stream\r\n"
        'Content-Disposition: attachment; filename="../../etc/passwd"\r\n\r\nx\r\n'
        f"--{boundary}--\r\n"
    ).encode()
    raw = mails.raw(
        mails.simple_headers(**{"Content-Type": f'multipart/mixed; boundary="{boundary}"'}), body
    )
    mail = parse(raw)
    assert mail.text == "Siehe Anhang."
    names = [a.name for a in mail.attachments]
    assert names[0] == "Straßenschaden Föto.pdf"  # decomposed "ö" composed again
    assert names[1] == "Übersicht.jpg"
    assert "/" not in names[2] and ".." not in names[2].split("_")
    assert mail.attachments[0].content == b"%PDF-1.4 test"
    assert mail.attachments[1].content_type == "image/jpeg"


def test_inline_images_are_kept_as_attachments():
    msg = mails.message(body="Text", html='<p>Foto: <img src="cid:bild1" alt="Schlagloch"></p>')
    from email import message_from_bytes, policy

    parsed = message_from_bytes(msg, policy=policy.default)
    html_part = parsed.get_body(("html",))
    html_part.add_related(b"\x89PNG\r\n\x1a\nxx", maintype="image", subtype="png", cid="<bild1>")
    mail = parse(parsed.as_bytes())
    assert mail.text == "Text"
    [image] = mail.attachments
    assert image.inline and image.content_id == "bild1"
    assert image.content.startswith(b"\x89PNG")
    assert image.name.endswith(".png")


def test_smime_signed_mail_keeps_text_and_signature():
    mail = parse(signed_mail("Signierter Antrag auf Sondernutzung.", subject="Antrag (signiert)"))
    assert mail.protection == "signed"
    assert mail.text == "Signierter Antrag auf Sondernutzung."
    assert [a.name for a in mail.attachments] == ["smime.p7s"]
    assert mail.attachments[0].content_type in (
        "application/pkcs7-signature",
        "application/x-pkcs7-signature",
    )


def test_encrypted_smime_is_kept_as_attachment():
    raw = mails.raw(
        mails.simple_headers(
            **{
                "Content-Type": "application/pkcs7-mime; smime-type=enveloped-data; "
                'name="smime.p7m"',
                "Content-Transfer-Encoding": "base64",
                "Content-Disposition": 'attachment; filename="smime.p7m"',
            }
        ),
        mails.b64(b"0\x80\x06\x09encrypted"),
    )
    mail = parse(raw)
    assert mail.protection == "encrypted"
    assert mail.text == ""
    assert [a.name for a in mail.attachments] == ["smime.p7m"]


def test_threading_headers_and_date():
    raw = mails.message(
        message_id="<m1@example.org>",
        in_reply_to="<r1@musterstadt.example>",
        references="<a@x> <r1@musterstadt.example> <b@y>",
    )
    mail = parse(raw)
    assert mail.message_id == "<m1@example.org>"
    assert mail.in_reply_to == ["<r1@musterstadt.example>"]
    assert mail.references == ["<a@x>", "<r1@musterstadt.example>", "<b@y>"]
    assert mail.date == dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)


def test_reply_to_names_where_answers_go():
    raw = mails.message(
        sender="Formularserver <noreply@formulare.example>",
        headers={"Reply-To": "Erika Mustermann <Erika@Example.org>"},
    )
    assert parse(raw).reply_address == "erika@example.org"


# --- broken messages -----------------------------------------------------------

BROKEN = {
    "empty": b"",
    "whitespace": b"\r\n\r\n  \r\n",
    "no headers, only text": b"Hallo, meine Laterne ist kaputt.\r\n",
}


@pytest.mark.parametrize("raw", BROKEN.values(), ids=BROKEN.keys())
def test_unreadable_bytes_raise_for_quarantine(raw):
    with pytest.raises(UnreadableMail):
        parse(raw)


READABLE_BROKEN = {
    "missing closing boundary": mails.raw(
        mails.simple_headers(**{"Content-Type": 'multipart/mixed; boundary="zz"'}),
        b"--zz\r\nContent-Type: text/plain\r\n\r\nText ohne Ende\r\n",
    ),
    "missing boundary parameter": mails.raw(
        mails.simple_headers(**{"Content-Type": "multipart/mixed"}), b"--x\r\nirgendwas\r\n"
    ),
    "broken base64": mails.raw(
        mails.simple_headers(
            **{"Content-Type": "text/plain; charset=utf-8", "Content-Transfer-Encoding": "base64"}
        ),
        b"SGFsbG8g!!!d2VsdA=\r\n",
    ),
    "broken encoded word": mails.raw(
        [("From", "a@example.org"), ("Subject", "=?utf-8?B?####?= =?utf-8?Q?=ZZ?=")], b"x"
    ),
    "invalid from": mails.raw([("From", "<<<>>>@@"), ("Subject", "x")], b"x"),
    "nul bytes": mails.raw(mails.simple_headers(), b"Hallo\x00Welt\x00"),
    "bad date": mails.raw([("From", "a@example.org"), ("Date", "gestern")], b"x"),
    "nested too deep": mails.raw(
        mails.simple_headers(**{"Content-Type": 'multipart/mixed; boundary="b0"'}),
        b"".join(
            f'--b{i}\r\nContent-Type: multipart/mixed; boundary="b{i + 1}"\r\n\r\n'.encode()
            for i in range(40)
        ),
    ),
    "overlong header line": mails.raw([("From", "a@example.org"), ("Subject", "x" * 20000)], b"x"),
    "bare LF line endings": b"From: a@example.org\nSubject: LF\n\nNur LF\n",
}


@pytest.mark.parametrize("raw", READABLE_BROKEN.values(), ids=READABLE_BROKEN.keys())
def test_broken_but_readable_messages_never_raise_and_give_clean_text(raw):
    mail = parse(raw)
    for value in (mail.text, mail.subject, mail.html):
        assert "\x00" not in value
        value.encode("utf-8")  # no lone surrogates: every database accepts it


def test_nul_bytes_are_removed_from_text():
    assert parse(READABLE_BROKEN["nul bytes"]).text == "HalloWelt"


def test_invalid_from_has_no_sender_address():
    mail = parse(READABLE_BROKEN["invalid from"])
    assert mail.sender is None or mail.sender.email == ""
