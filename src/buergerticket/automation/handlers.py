"""Automation handlers: named standard-request processors that act on a new case.

A service names its handler in the catalog (``automation: abschlag``); a rule
can run one with the action "Automatisierung ausführen". Handlers act through
the case services like a clerk and report ``result.automated``/``result.reason``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from buergerticket.cases.models import Case
    from buergerticket.intake.pipeline import Draft, IntakeResult

HandlerFunction = Callable[["Case", "Draft", "IntakeResult"], None]


@dataclass(frozen=True)
class Handler:
    name: str
    label: str
    run: HandlerFunction


_handlers: dict[str, Handler] = {}


def register(name: str, label: str, run: HandlerFunction) -> None:
    _handlers[name] = Handler(name, label, run)


def get(name: str) -> Handler | None:
    return _handlers.get(name)


def available() -> list[Handler]:
    return sorted(_handlers.values(), key=lambda h: h.name)
