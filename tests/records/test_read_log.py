"""Read access is logged (DSGVO accountability) and visible to the data-protection officer."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from buergerticket.cases.services import NewDocument
from buergerticket.records.models import ReadAccess
from buergerticket.records.services import readlog


def test_opening_a_case_and_a_document_is_logged(open_case, staff, make_staff):
    case = open_case(attachments=[NewDocument("foto.txt", b"abc", "text/plain")])
    document = case.documents.get()
    client = Client()
    client.force_login(staff("s.wagner").user)
    assert client.get(f"/arbeitsplatz/vorgaenge/{case.pk}/").status_code == 200
    assert (
        client.get(f"/arbeitsplatz/vorgaenge/{case.pk}/dokumente/{document.pk}/").status_code == 200
    )
    entries = list(ReadAccess.objects.order_by("at", "pk"))
    assert [(e.file_number, e.document_name, e.channel) for e in entries] == [
        (case.file_number, "", "workspace"),
        (case.file_number, "foto.txt", "workspace"),
    ]
    assert entries[0].reader == "s.wagner – Sabine Wagner"
    # A clerk of another department gets a 404 and leaves no read entry.
    other = Client()
    other.force_login(staff("l.fischer").user)
    assert other.get(f"/arbeitsplatz/vorgaenge/{case.pk}/").status_code == 404
    assert ReadAccess.objects.count() == 2


def test_only_the_data_protection_officer_sees_the_log(open_case, staff, make_staff):
    case = open_case()
    readlog.record_read(case=case, staff=staff("s.wagner"), channel="api")
    officer = make_staff("d.schutz", ["datenschutz"])
    client = Client()
    client.force_login(officer.user)
    page = client.get("/arbeitsplatz/archiv/zugriffsprotokoll/", {"aktenzeichen": case.file_number})
    assert page.status_code == 200
    assert "s.wagner – Sabine Wagner" in page.content.decode()
    for username in ("s.wagner", "t.nguyen", "admin"):
        client.force_login(staff(username).user)
        assert client.get("/arbeitsplatz/archiv/zugriffsprotokoll/").status_code == 403


def test_log_is_kept_per_its_own_retention(open_case, staff, musterstadt, stadtwerke):
    case = open_case()
    utility_case = open_case("sw-allgemein", org="stadtwerke")
    old = readlog.record_read(case=case, staff=staff("s.wagner"), channel="workspace")
    recent = readlog.record_read(case=case, staff=staff("s.wagner"), channel="workspace")
    utility = readlog.record_read(case=utility_case, staff=staff("h.braun"), channel="workspace")
    now = timezone.now()
    ReadAccess.objects.filter(pk__in=[old.pk, utility.pk]).update(at=now - dt.timedelta(days=40))
    readlog.set_retention(musterstadt, 30)
    assert readlog.purge_expired() == 1
    remaining = set(ReadAccess.objects.values_list("pk", flat=True))
    assert remaining == {recent.pk, utility.pk}  # the utility keeps its default 365 days
    # The entry outlives the case's own data (file number is kept).
    assert ReadAccess.objects.get(pk=recent.pk).file_number == case.file_number
