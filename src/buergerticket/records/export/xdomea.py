"""The package's metadata message, modelled on XDOMEA 3.0 ``Aussonderung.Aussonderung.0503``.

Element names and nesting follow the standard (Kopf, Schriftgutobjekt →
Vorgang → Dokument → Version → Format → Primaerdokument) so an archive's
ingest can map it; it is not validated against the official schema, which
this project does not ship.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

NS = "urn:xoev-de:xdomea:schema:3.0.0"
MESSAGE_TYPE = "0503"
ET.register_namespace("xdomea", NS)

# xdomea code list "Aussonderungsart": A = archivwürdig, V = vernichten.
DISPOSAL_CODES = {"archive": "A", "delete": "V"}


def _el(parent: ET.Element, name: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{NS}}}{name}", attrs)
    if text is not None:
        element.text = text
    return element


def _code(parent: ET.Element, name: str, code: str, label: str = "") -> ET.Element:
    element = _el(parent, name)
    ET.SubElement(element, "code").text = code
    if label:
        ET.SubElement(element, "name").text = label
    return element


@dataclass(frozen=True)
class PackagedDocument:
    id: str
    subject: str
    filename: str
    original_name: str
    mime: str
    received: str | None
    sent: str | None
    pdfa_filename: str | None


def case_uuid(organisation_slug: str, file_number: str) -> str:
    """A stable id for the case across exports (same case, same id)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"buergerticket:{organisation_slug}:{file_number}"))


def message_xml(
    *,
    process_id: str,
    created: str,
    metadata: dict[str, Any],
    documents: list[PackagedDocument],
    product_version: str,
) -> bytes:
    root = ET.Element(f"{{{NS}}}Aussonderung.Aussonderung.{MESSAGE_TYPE}")
    head = _el(root, "Kopf")
    _el(head, "ProzessID", process_id)
    _code(head, "Nachrichtentyp", MESSAGE_TYPE)
    _el(head, "Erstellungszeitpunkt", created)
    sender = _el(head, "Absender")
    authority = _el(sender, "Behoerdenkennung")
    _code(authority, "Behoerdenschluessel", metadata["organisation"], metadata["organisation_name"])
    institution = _el(sender, "Institution")
    _el(institution, "Name", metadata["organisation_name"])
    _el(institution, "Kurzbezeichnung", metadata["organisation"])
    receiver = _el(head, "Empfaenger")
    _el(_el(receiver, "Institution"), "Name", "Zuständiges öffentliches Archiv")
    system = _el(head, "SendendesSystem")
    _el(system, "Produktname", "Bürgerticket")
    _el(system, "Version", product_version)
    _el(head, "Importbestaetigung", "1")
    _el(head, "Empfangsbestaetigung", "1")

    objects = _el(root, "Schriftgutobjekt")
    case = _el(objects, "Vorgang")
    _el(_el(case, "Identifikation"), "ID", metadata["id"])
    general = _el(case, "AllgemeineMetadaten")
    _el(general, "Betreff", metadata["subject"])
    _el(general, "Kennzeichen", metadata["file_number"])
    _el(_el(general, "Aktenplaneinheit"), "Kennzeichen", metadata["file_plan"])
    archive = _el(case, "ArchivspezifischeMetadaten")
    _code(
        _el(archive, "Aussonderungsart"),
        "Aussonderungsart",
        DISPOSAL_CODES.get(metadata["disposal"], "B"),
    )
    _el(case, "Typ", metadata["service_name"])
    _el(case, "ZdA", "1" if metadata.get("closed_at") else "0")
    period = _el(case, "Laufzeit")
    _el(period, "Beginn", metadata["created_at"][:10])
    if metadata.get("closed_at"):
        _el(period, "Ende", metadata["closed_at"][:10])
    for document in documents:
        node = _el(case, "Dokument")
        _el(_el(node, "Identifikation"), "ID", document.id)
        _el(_el(node, "AllgemeineMetadaten"), "Betreff", document.subject)
        if document.received:
            _el(node, "Posteingangsdatum", document.received[:10])
        if document.sent:
            _el(node, "Postausgangsdatum", document.sent[:10])
        version = _el(node, "Version")
        _el(version, "Nummer", "1")
        for filename, original, pdfa in (
            (document.filename, document.original_name, False),
            (document.pdfa_filename, document.original_name, True),
        ):
            if not filename:
                continue
            fmt = _el(version, "Format")
            _el(fmt, "Name", "PDF/A-2b" if pdfa else document.mime)
            primary = _el(fmt, "Primaerdokument")
            _el(primary, "Dateiname", filename)
            _el(primary, "DateinameOriginal", original)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
