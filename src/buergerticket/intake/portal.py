"""The portal channel: a citizen's form submission becomes a case.

The portal app validates the form (fields, files, virus scan); this adapter only
normalises what it got into a :class:`~buergerticket.intake.pipeline.Draft` with
channel ``portal`` and hands it to the pipeline like every other channel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from buergerticket.cases import services
from buergerticket.cases.history import Actor
from buergerticket.cases.models import Channel
from buergerticket.catalog.models import Service
from buergerticket.intake import pipeline
from buergerticket.org.models import User


@dataclass(frozen=True)
class PortalRequest:
    service: Service
    text: str = ""
    form_data: dict[str, Any] = field(default_factory=dict)
    name: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    account: User | None = None
    location_address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    attachments: Sequence[services.NewDocument] = ()
    language: str = "de"


def subject_for(request: PortalRequest) -> str:
    """What a clerk reads in the queue: the service, and where if there is a place."""
    subject = request.service.name
    if request.location_address:
        subject = f"{subject}: {request.location_address}"
    return subject[:300]


def submit(request: PortalRequest) -> pipeline.IntakeResult:
    """Open the case; returns after it is committed (the receipt may then be shown)."""
    account = request.account
    name = request.name.strip() or (account.get_full_name() if account else "")
    email = (account.email if account is not None else request.email).strip()
    draft = pipeline.Draft(
        organisation=request.service.organisation,
        channel=Channel.PORTAL,
        service=request.service,
        subject=subject_for(request),
        text=request.text.strip(),
        requester=services.Requester(
            name=name,
            email=email,
            phone=request.phone.strip(),
            address=request.address.strip(),
            account=account,
        ),
        location=services.Location(
            address=request.location_address,
            latitude=request.latitude,
            longitude=request.longitude,
        ),
        form_data=dict(request.form_data),
        attachments=list(request.attachments),
        meta={"language": request.language, "account": account is not None},
    )
    return pipeline.submit(draft, actor=Actor.requester())
