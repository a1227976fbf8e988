"""What :func:`checks.inspect` reports: findings per element and the verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from .vocabulary import ERROR


class Directory(Protocol):
    """Maps lane and performer names of a model to roles and staff."""

    def map_group(self, name: str) -> Any: ...

    def map_user(self, name: str) -> Any: ...


@dataclass(frozen=True)
class Finding:
    severity: str
    element_id: str
    element_type: str
    name: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {
            "severity": self.severity,
            "element_id": self.element_id,
            "element_type": self.element_type,
            "name": self.name,
            "message": self.message,
        }


@dataclass
class Inspection:
    process_id: str = ""
    findings: list[Finding] = field(default_factory=list)
    analysis: dict[str, Any] = field(default_factory=dict)

    @property
    def executable(self) -> bool:
        return bool(self.process_id) and not any(f.severity == ERROR for f in self.findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]
