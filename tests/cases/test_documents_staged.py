"""Attachment files are written before the case's transaction and never left
behind by an intake that failed inside it."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.storage import default_storage
from django.db import IntegrityError
from django.db.models import F

from buergerticket.cases.models import Case, FileNumberSequence, document_name
from buergerticket.cases.services import NewDocument

pytestmark = pytest.mark.django_db


def _stored(case_org: int, content: bytes) -> list[str]:
    """Names in storage holding ``content`` (the storage may add a suffix)."""
    name = document_name(case_org, hashlib.sha256(content).hexdigest())
    folder, stem = name.rsplit("/", 1)
    if not default_storage.exists(folder):
        return []
    return [f for f in default_storage.listdir(folder)[1] if f.startswith(stem)]


def test_an_opened_case_keeps_its_attachment(open_case):
    content = b"%PDF-1.4 Lageplan Hauptstrasse"
    case = open_case(attachments=[NewDocument("Lageplan.pdf", content, "application/pdf")])
    document = case.documents.get()
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    with document.file.open("rb") as handle:
        assert handle.read() == content
    assert len(_stored(case.organisation_id, content)) == 1


def test_a_case_that_could_not_be_written_leaves_no_file_behind(open_case):
    first = open_case()
    # The sequence was set back (e.g. restored from an old backup): the next
    # number exists already and the case's insert fails inside the transaction.
    FileNumberSequence.objects.filter(organisation_id=first.organisation_id).update(
        last_value=F("last_value") - 1
    )
    content = b"%PDF-1.4 Foto vom Schlagloch"
    with pytest.raises(IntegrityError):
        open_case(attachments=[NewDocument("Foto.pdf", content, "application/pdf")])
    assert _stored(first.organisation_id, content) == []
    assert Case.objects.count() == 1
