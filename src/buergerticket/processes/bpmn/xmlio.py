"""Decoding BPMN files as other tools write them, and comparing them without loss.

Models arrive as bytes in whatever encoding their tool declared (six of the
MIWG reference files are ISO-8859-1). We decode by the XML declaration and
keep the document text exactly as written, only with the declaration saying
UTF-8, so that exporting it again loses no element, attribute or comment.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from lxml import etree

from . import BPMN_NS, local_name, namespace

MAX_BYTES = 10 * 1024 * 1024

_DECLARATION = re.compile(
    rb"""^<\?xml\s[^>]*?encoding\s*=\s*(["'])([A-Za-z0-9._\-]+)\1""", re.DOTALL
)
_TEXT_ENCODING = re.compile(r"""^(<\?xml\s[^>]*?encoding\s*=\s*)(["'])[A-Za-z0-9._\-]+\2""")
_DOCTYPE = re.compile(r"<!DOCTYPE", re.IGNORECASE)


class BpmnFileError(Exception):
    """The file is not a usable BPMN 2.0 document; the message is German and user-facing."""


@dataclass(frozen=True)
class DecodedXml:
    text: str  # the document, declaration rewritten to UTF-8
    encoding: str  # as declared (or detected) in the original
    root: etree._Element


def safe_parser() -> etree.XMLParser:
    """No DTDs, no entity expansion, no network: models are untrusted input."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def _detect_encoding(data: bytes) -> tuple[str, int]:
    """(codec name, BOM length) from the byte order mark or the XML declaration."""
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return name, len(bom)
    match = _DECLARATION.match(data.lstrip()[:200])
    return (match.group(2).decode("ascii").lower() if match else "utf-8"), 0


def decode(data: bytes, file_name: str = "") -> DecodedXml:
    """Decode and parse a BPMN file; raises :class:`BpmnFileError` with the reason."""
    label = f"„{file_name}“" if file_name else "Die Datei"
    if len(data) > MAX_BYTES:
        raise BpmnFileError(f"{label} ist größer als {MAX_BYTES // (1024 * 1024)} MB.")
    if not data.strip():
        raise BpmnFileError(f"{label} ist leer.")
    encoding, bom = _detect_encoding(data)
    try:
        codecs.lookup(encoding)
        text = data[bom:].decode(encoding)
    except (LookupError, UnicodeDecodeError) as exc:
        raise BpmnFileError(
            f"{label} lässt sich nicht mit der angegebenen Zeichenkodierung {encoding} "
            f"lesen ({exc})."
        ) from None
    text = text.lstrip("\ufeff")
    text = _TEXT_ENCODING.sub(r"\1\2UTF-8\2", text, count=1)
    if _DOCTYPE.search(text[:4096]):
        # BPMN needs no DTD; a DOCTYPE is the vehicle of entity-expansion attacks.
        raise BpmnFileError(f"{label} enthält eine DOCTYPE-Deklaration; das ist nicht erlaubt.")
    root = parse(text, label)
    if root.tag != f"{{{BPMN_NS}}}definitions":
        found = local_name(root.tag) or str(root.tag)
        ns = namespace(root.tag)
        raise BpmnFileError(
            f"{label} ist kein BPMN-2.0-Modell: Wurzelelement „{found}“"
            + (f" im Namensraum {ns}" if ns else "")
            + f" statt „definitions“ im Namensraum {BPMN_NS}."
        )
    return DecodedXml(text=text, encoding=encoding, root=root)


def parse(text: str, label: str = "Die Datei") -> etree._Element:
    try:
        return etree.fromstring(text.encode("utf-8"), safe_parser())
    except etree.XMLSyntaxError as exc:
        line = f" (Zeile {exc.lineno})" if getattr(exc, "lineno", None) else ""
        raise BpmnFileError(f"{label} ist kein gültiges XML{line}: {exc.msg}") from None


def canonical(xml: str | bytes) -> bytes:
    """Canonical XML (C14N 2.0 with comments): equal iff no element, attribute,
    text or comment differs; encoding and declaration do not matter. (C14N 1.0
    rejects the relative namespace URIs some tools write, e.g. ADONIS.)"""
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    root = etree.fromstring(data, safe_parser())
    return bytes(etree.tostring(root, method="c14n2", with_comments=True))
