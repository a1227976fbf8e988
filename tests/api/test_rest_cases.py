"""Cases through the REST API: what an integrating system sees and may change."""

from __future__ import annotations

import datetime as dt

import pytest

from buergerticket.cases.models import Case, CaseEvent, Message, MessageKind, Status
from buergerticket.cases.signals import case_read

pytestmark = pytest.mark.django_db


def test_open_case_goes_through_the_intake_path_with_channel_api(api):
    response = api.post(
        "/cases",
        {
            "service": "maengel-strasse",
            "subject": "Schlagloch Lindenallee",
            "text": "Tiefes Loch vor Nr. 3",
            "requester": {"name": "Erika Mustermann", "email": "Erika@Example.org"},
            "location": {"address": "Lindenallee 3", "latitude": "51.5", "longitude": "7.4"},
        },
    )
    assert response.status_code == 201, response.content
    data = response.json()
    case = Case.objects.get(pk=data["id"])
    assert case.channel == "api"
    assert data["file_number"] == case.file_number
    assert data["owner"]["username"] == "s.wagner"
    assert data["requester"]["email"] == "erika@example.org"
    assert response["ETag"] == f'"{case.pk}-{case.version}"'
    assert response["Location"].endswith(f"/api/v1/cases/{case.pk}")
    intake = CaseEvent.objects.get(case=case, type="intake")
    assert intake.actor_kind == "system" and intake.actor_label.startswith("Schnittstelle")


def test_nul_characters_are_refused_as_bad_input(api):
    """PostgreSQL cannot store U+0000; it must be a 4xx with a message, never a 500."""
    response = api.post(
        "/cases",
        {"service": "maengel-strasse", "subject": "Loch\x00", "text": "x", "tags": ["a\x00b"]},
    )
    assert 400 <= response.status_code < 500
    assert "Nullzeichen" in response.content.decode()
    assert not Case.objects.exists()


def test_open_case_without_service_lands_on_the_fallback(api):
    response = api.post("/cases", {"subject": "Allgemeine Frage"})
    assert response.status_code == 201
    assert response.json()["service"]["code"] == "allgemein"


def test_idempotency_key_returns_the_same_case_on_retry(api):
    body = {"service": "maengel-strasse", "subject": "Ampel", "location": {"address": "Markt"}}
    first = api.post("/cases", body, HTTP_IDEMPOTENCY_KEY="abc-1")
    second = api.post("/cases", body, HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert Case.objects.filter(subject="Ampel").count() == 1
    other = api.post("/cases", {**body, "subject": "Anderes"}, HTTP_IDEMPOTENCY_KEY="abc-1")
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"


def test_read_case_sends_etag_and_honours_if_none_match(api, open_case):
    case = open_case()
    reads = []

    def receiver(sender, **kwargs):
        reads.append(kwargs)

    case_read.connect(receiver)
    try:
        response = api.get(f"/cases/{case.pk}")
    finally:
        case_read.disconnect(receiver)
    assert response.status_code == 200
    data = response.json()
    assert data["file_number"] == case.file_number
    assert data["requester"]["name"] == "Erika Mustermann"
    assert data["deadline_state"] == "running"
    etag = response["ETag"]
    assert [r["channel"] for r in reads] == ["api"]
    assert reads[0]["case"].pk == case.pk
    again = api.get(f"/cases/{case.pk}", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304


def test_list_filters_and_cursor_pagination(api, open_case):
    opened = [open_case(subject=f"Meldung {i}") for i in range(5)]
    open_case("melde-bescheinigung", subject="Bescheinigung")
    first = api.get("/cases", {"service": "maengel-strasse", "limit": 2})
    assert first.status_code == 200
    page = first.json()
    assert [c["id"] for c in page["items"]] == [opened[4].pk, opened[3].pk]
    seen = [c["id"] for c in page["items"]]
    while page["next_cursor"]:
        page = api.get(
            "/cases", {"service": "maengel-strasse", "limit": 2, "cursor": page["next_cursor"]}
        ).json()
        seen += [c["id"] for c in page["items"]]
    assert seen == [c.pk for c in reversed(opened)]
    assert {c["service"]["code"] for c in api.get("/cases").json()["items"]} == {
        "maengel-strasse",
        "melde-bescheinigung",
    }
    by_department = api.get("/cases", {"department": "BUE"}).json()["items"]
    assert [c["subject"] for c in by_department] == ["Bescheinigung"]
    assert api.get("/cases", {"status": ["abgeschlossen"]}).json()["items"] == []


def test_updated_since_is_a_change_feed(api, open_case):
    a, _b = open_case(subject="A"), open_case(subject="B")
    since = a.updated_at.isoformat()
    api.post(f"/cases/{a.pk}/notes", {"text": "geändert"})
    items = api.get("/cases", {"updated_since": since}).json()["items"]
    assert [c["subject"] for c in items] == ["B", "A"]


def test_updated_since_accepts_every_iso_offset(api, open_case):
    # ISO 8601 allows ±23:59; PostgreSQL only ±15:59, so the API compares in UTC.
    case = open_case()
    local = case.updated_at.astimezone(dt.timezone(dt.timedelta(hours=16, minutes=37)))
    found = api.get("/cases", {"updated_since": local.isoformat()})
    assert [c["id"] for c in found.json()["items"]] == [case.pk]
    later = (local + dt.timedelta(seconds=1)).isoformat()
    assert api.get("/cases", {"updated_since": later}).json()["items"] == []
    too_early = api.get("/cases", {"updated_since": "0001-01-01T00:00:00+05:00"})
    assert too_early.status_code in (400, 422)
    assert too_early.json()["errors"] == [
        {
            "field": "updated_since",
            "message": "Datum und Uhrzeit liegen außerhalb des darstellbaren Bereichs.",
        }
    ]


def test_reply_and_note_are_written_through_the_services(api, open_case):
    case = open_case()
    reply = api.post(f"/cases/{case.pk}/replies", {"body": "Wir kümmern uns."})
    assert reply.status_code == 201
    note = api.post(f"/cases/{case.pk}/notes", {"text": "Bauhof informiert"})
    assert note.status_code == 201
    kinds = list(Message.objects.filter(case=case).order_by("pk").values_list("kind", flat=True))
    assert kinds == [MessageKind.INCOMING, MessageKind.OUTGOING, MessageKind.NOTE]
    assert {"reply", "note"} <= set(
        CaseEvent.objects.filter(case=case).values_list("type", flat=True)
    )
    messages = api.get(f"/cases/{case.pk}/messages").json()
    assert [m["kind"] for m in messages] == ["incoming", "outgoing", "note"]
    events = api.get(f"/cases/{case.pk}/events").json()
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))


def test_status_change_needs_if_match_and_refuses_stale_versions(api, open_case):
    case = open_case()
    etag = api.get(f"/cases/{case.pk}")["ETag"]
    missing = api.post(f"/cases/{case.pk}/status", {"status": "in_bearbeitung"})
    assert missing.status_code == 428
    assert missing.json()["current_version"] == case.version
    ok = api.post(f"/cases/{case.pk}/status", {"status": "in_bearbeitung"}, HTTP_IF_MATCH=etag)
    assert ok.status_code == 200, ok.content
    assert ok.json()["status"] == "in_bearbeitung"
    assert ok["ETag"] != etag
    stale = api.post(f"/cases/{case.pk}/status", {"status": "abgeschlossen"}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale.json()["code"] == "precondition_failed"
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS


def test_a_writer_between_read_and_write_is_detected(api, open_case, staff):
    from buergerticket.cases import services
    from buergerticket.cases.history import Actor

    case = open_case()
    etag = api.get(f"/cases/{case.pk}")["ETag"]
    services.add_note(case.pk, actor=Actor.for_staff(staff("s.wagner")), text="dazwischen")
    response = api.post(f"/cases/{case.pk}/notes", {"text": "zu spät"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    assert not Message.objects.filter(body="zu spät").exists()


def test_invalid_transition_is_a_422_with_the_reason(api, open_case):
    case = open_case()
    etag = api.get(f"/cases/{case.pk}")["ETag"]
    api.post(f"/cases/{case.pk}/status", {"status": "abgeschlossen"}, HTTP_IF_MATCH=etag)
    etag = api.get(f"/cases/{case.pk}")["ETag"]
    response = api.post(f"/cases/{case.pk}/status", {"status": "neu"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 422
    assert "abgeschlossen" in response.json()["message"]


def test_assign_within_the_department(api, open_case):
    case = open_case()
    etag = api.get(f"/cases/{case.pk}")["ETag"]
    response = api.post(
        f"/cases/{case.pk}/assignment",
        {"owner": "t.nguyen", "reason": "Urlaub"},
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 200, response.content
    assert response.json()["owner"]["username"] == "t.nguyen"
    etag = response["ETag"]
    outside = api.post(f"/cases/{case.pk}/assignment", {"owner": "a.becker"}, HTTP_IF_MATCH=etag)
    assert outside.status_code == 422
    unknown = api.post(f"/cases/{case.pk}/assignment", {"owner": "niemand"}, HTTP_IF_MATCH=etag)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "owner"


def test_services_departments_and_tasks(api, open_case, staff, run_worker):
    import datetime as dt

    from buergerticket.cases import services
    from buergerticket.cases.history import Actor

    services_list = api.get("/services").json()
    codes = {s["code"] for s in services_list}
    assert "maengel-strasse" in codes and "sw-abschlag" not in codes
    assert api.get("/services/maengel-strasse").json()["open311"] is True
    assert api.get("/services/sw-abschlag").status_code == 404
    departments = api.get("/departments").json()
    assert {d["code"] for d in departments} >= {"BUE", "TBA"}
    case = open_case()
    services.set_follow_up(
        case.pk, actor=Actor.for_staff(staff("s.wagner")), on=dt.date(2030, 1, 2)
    )
    run_worker()  # the case's process starts right after commit, in the worker
    tasks = api.get("/tasks").json()["items"]
    # The case's process task (due by the deadline) comes first, then the follow-up.
    assert [(t["kind"], t["case_id"], t["due"]) for t in tasks] == [
        ("process", case.pk, case.deadline.isoformat()),
        ("follow_up", case.pk, "2030-01-02"),
    ]
    assert api.get("/tasks", {"assignee": "a.becker"}).json()["items"] == []
