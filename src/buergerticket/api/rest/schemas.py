"""Request and response shapes of the REST API (names are a stable contract)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from ninja import Field, Path, Schema
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, ConfigDict, model_validator

from buergerticket.cases.models import Case, Message
from buergerticket.catalog.models import Service
from buergerticket.org.models import Department, Staff

StatusCode = Literal["neu", "in_bearbeitung", "wartet", "entschieden", "abgeschlossen"]
ChannelCode = Literal["portal", "email", "phone", "counter", "letter", "api", "open311"]
DeadlineState = Literal["overdue", "due_soon", "suspended", "met", "running"]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$"
)


def _iso_date(value: Any) -> Any:
    # Pydantic would also read numbers as Unix timestamps; the API speaks ISO 8601 only.
    if isinstance(value, dt.date) or (isinstance(value, str) and _DATE.match(value)):
        return value
    raise ValueError("Bitte ein Datum im Format JJJJ-MM-TT angeben.")


def _iso_datetime(value: Any) -> Any:
    if isinstance(value, dt.datetime) or (isinstance(value, str) and _DATETIME.match(value)):
        return value
    raise ValueError("Bitte Datum und Uhrzeit mit Zeitzone nach ISO 8601 angeben.")


def _in_utc(value: dt.datetime) -> dt.datetime:
    # ISO 8601 allows offsets up to ±23:59, PostgreSQL only ±15:59: compare in UTC.
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("Datum und Uhrzeit liegen außerhalb des darstellbaren Bereichs.") from None


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
IsoDateTime = Annotated[AwareDatetime, BeforeValidator(_iso_datetime), AfterValidator(_in_utc)]
# Database ids fit in 63 bits; anything larger cannot exist and must be a 404, not an overflow.
MAX_ID = 2**63 - 1
CaseId = Annotated[int, Path(..., ge=1, le=MAX_ID)]

# Text limits keep one request from filling the database; they match the model fields.
SHORT = 300
LONG = 20000


def _without_nul(value: Any) -> Any:
    """PostgreSQL cannot store U+0000 in text or JSON; refuse it as bad input."""
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("Der Text enthält ein Nullzeichen (U+0000), das nicht erlaubt ist.")
    if isinstance(value, dict):
        for item in value.values():
            _without_nul(item)
    elif isinstance(value, list):
        for item in value:
            _without_nul(item)
    return value


class Strict(Schema):
    """Unknown fields are an error: a typo must not be silently ignored."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_nul_characters(cls, data: Any) -> Any:
        return _without_nul(data)


class Ref(Schema):
    code: str
    name: str


class PersonRef(Schema):
    username: str
    name: str


class RequesterOut(Schema):
    name: str
    email: str
    phone: str
    address: str


class LocationOut(Schema):
    address: str
    latitude: float | None
    longitude: float | None


class CaseSummary(Schema):
    id: int
    file_number: str
    subject: str
    service: Ref
    department: Ref
    owner: PersonRef
    channel: ChannelCode
    status: StatusCode
    priority: int
    deadline: dt.date
    deadline_state: DeadlineState
    created_at: dt.datetime
    updated_at: dt.datetime
    closed_at: dt.datetime | None
    version: int
    url: str


class CaseOut(CaseSummary):
    text: str
    regular_owner: PersonRef | None
    requester: RequesterOut
    location: LocationOut
    form_data: dict[str, Any]
    tags: list[str]
    decided_at: dt.datetime | None
    closed_automatically: bool
    deadline_suspended_since: dt.date | None
    follow_up: dt.date | None
    escalated: bool
    attention: str


class CasePage(Schema):
    items: list[CaseSummary]
    next_cursor: str | None = Field(
        None, description="Für die nächste Seite als Parameter cursor übergeben."
    )
    next: str | None = Field(None, description="Vollständige Adresse der nächsten Seite.")


class Accepted(Schema):
    id: int
    file_number: str


class RequesterIn(Strict):
    name: str = Field("", max_length=200)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=60)
    address: str = Field("", max_length=SHORT)


class LocationIn(Strict):
    address: str = Field("", max_length=SHORT)
    latitude: float | None = Field(None, ge=-90, le=90, description="WGS 84, Grad")
    longitude: float | None = Field(None, ge=-180, le=180, description="WGS 84, Grad")


class CaseIn(Strict):
    service: str | None = Field(
        None,
        max_length=60,
        description="Kennung der Leistung; ohne Angabe entscheidet die Eingangssteuerung.",
    )
    subject: str = Field(..., min_length=1, max_length=SHORT)
    text: str = Field("", max_length=LONG)
    requester: RequesterIn = Field(default_factory=lambda: RequesterIn.model_validate({}))
    location: LocationIn = Field(default_factory=lambda: LocationIn.model_validate({}))
    priority: int = Field(2, ge=1, le=4, description="1 niedrig, 2 normal, 3 hoch, 4 dringend")
    form_data: dict[str, Any] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list, max_length=20)


class ReplyIn(Strict):
    body: str = Field(..., min_length=1, max_length=LONG)
    subject: str = Field("", max_length=SHORT)


class NoteIn(Strict):
    text: str = Field(..., min_length=1, max_length=LONG)


class StatusIn(Strict):
    status: StatusCode
    reason: str = Field("", max_length=500)


class AssignIn(Strict):
    owner: str = Field(..., min_length=1, max_length=150, description="Benutzername")
    reason: str = Field("", max_length=500)


class MessageOut(Schema):
    id: int
    kind: Literal["incoming", "outgoing", "note"]
    channel: str
    author: str
    subject: str
    body: str
    created_at: dt.datetime
    delivery_status: str


class EventOut(Schema):
    seq: int
    type: str
    actor: str
    actor_kind: str
    on_behalf_of: str | None
    at: dt.datetime
    details: dict[str, Any]
    reason: str


class ServiceOut(Schema):
    code: str
    name: str
    description: str
    department: Ref
    file_plan: str
    deadline_days: int
    deadline_unit: Literal["working", "calendar"]
    legal_act: bool
    public: bool
    internal: bool
    open311: bool
    location: Literal["none", "optional", "required"]
    active: bool


class DepartmentOut(Schema):
    code: str
    name: str
    triage: bool
    internal: bool
    lead: PersonRef | None


class TaskOut(Schema):
    id: str
    kind: str
    title: str
    case_id: int
    file_number: str
    assignee: PersonRef | None
    due: dt.date | None
    created_at: dt.datetime | None


class TaskPage(Schema):
    items: list[TaskOut]


def person(staff: Staff | None) -> dict[str, str] | None:
    if staff is None:
        return None
    return {"username": staff.user.username, "name": staff.name}


def ref(obj: Service | Department) -> dict[str, str]:
    return {"code": obj.code, "name": obj.name}


def message_out(message: Message) -> dict[str, Any]:
    return {
        "id": message.pk,
        "kind": message.kind,
        "channel": message.channel,
        "author": message.author_label,
        "subject": message.subject,
        "body": message.body,
        "created_at": message.created_at,
        "delivery_status": message.delivery_status,
    }


def case_summary(case: Case, *, state: str, url: str) -> dict[str, Any]:
    return {
        "id": case.pk,
        "file_number": case.file_number,
        "subject": case.subject,
        "service": ref(case.service),
        "department": ref(case.department),
        "owner": person(case.owner),
        "channel": case.channel,
        "status": case.status,
        "priority": case.priority,
        "deadline": case.deadline,
        "deadline_state": state,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "closed_at": case.closed_at,
        "version": case.version,
        "url": url,
    }


def case_out(case: Case, *, state: str, url: str) -> dict[str, Any]:
    data = case_summary(case, state=state, url=url)
    data.update(
        {
            "text": case.text,
            "regular_owner": person(case.regular_owner),
            "requester": {
                "name": case.requester_name,
                "email": case.requester_email,
                "phone": case.requester_phone,
                "address": case.requester_address,
            },
            "location": {
                "address": case.location_address,
                "latitude": float(case.latitude) if case.latitude is not None else None,
                "longitude": float(case.longitude) if case.longitude is not None else None,
            },
            "form_data": case.form_data if isinstance(case.form_data, dict) else {},
            "tags": list(case.tags or []),
            "decided_at": case.decided_at,
            "closed_automatically": case.closed_automatically,
            "deadline_suspended_since": case.deadline_suspended_since,
            "follow_up": case.follow_up,
            "escalated": case.escalated_at is not None,
            "attention": case.attention,
        }
    )
    return data
