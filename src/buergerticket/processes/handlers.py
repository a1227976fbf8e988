"""Registered Python handlers that service tasks call (automation, connectors).

A model names a handler (``bt:handler="case.close"``, a Camunda external-task
topic or a Zeebe task type); only names registered here can run, so an
imported model can never call anything we did not deliberately offer. Apps
register their handlers in ``AppConfig.ready``::

    from buergerticket.processes import handlers

    @handlers.register("abschlag.pruefen", label="Abschlag prüfen")
    def check(ctx: handlers.ServiceContext) -> dict | None:
        ...  # act through buergerticket.cases.services with ctx.actor
        return {"ergebnis": "ok"}  # merged into the task data

A handler raises :class:`HandlerError` (or anything else) to stop: the task
stays in an error state on the case with the real message until someone
retries it. Its database writes are rolled back (it runs in a savepoint).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from buergerticket.cases.history import Actor
    from buergerticket.processes.models import ProcessInstance


class HandlerError(Exception):
    """A handler cannot do its work; the German message is shown on the case."""


@dataclass
class ServiceContext:
    case_id: int
    instance: ProcessInstance
    element_id: str
    name: str
    params: dict[str, str]
    data: dict[str, Any]
    actor: Actor
    extra: dict[str, Any] = field(default_factory=dict)

    def param(self, name: str, default: str = "") -> str:
        return self.params.get(name, default)

    def require(self, name: str) -> str:
        value = self.params.get(name, "").strip()
        if not value:
            raise HandlerError(f"Der Parameter „{name}“ fehlt im Modell.")
        return value


Handler = Callable[[ServiceContext], "dict[str, Any] | None"]


@dataclass(frozen=True)
class RegisteredHandler:
    name: str
    func: Handler
    label: str
    params: tuple[str, ...] = ()


_registry: dict[str, RegisteredHandler] = {}


def register(
    name: str, *, label: str, params: tuple[str, ...] = ()
) -> Callable[[Handler], Handler]:
    def decorate(func: Handler) -> Handler:
        _registry[name] = RegisteredHandler(name, func, label, params)
        return func

    return decorate


def get(name: str) -> RegisteredHandler | None:
    return _registry.get(name)


def names() -> list[str]:
    return sorted(_registry)


def registered() -> list[RegisteredHandler]:
    return [_registry[n] for n in names()]


_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def fill(template: str, data: dict[str, Any]) -> str:
    """``{name}`` → task data; only plain names, so a model cannot reach attributes."""
    return _PLACEHOLDER.sub(
        lambda m: str(data.get(m.group(1), m.group(0))) if m.group(1) in data else m.group(0),
        template,
    )
