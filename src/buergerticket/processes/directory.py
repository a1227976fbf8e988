"""Mapping a model's lanes, candidate groups and users to our roles and departments.

A model from another municipality names groups in its own words; what counts
is whether they mean one of our roles (``sachbearbeitung``, ``leitung``,
``schlusszeichnung``, …) or one of this organisation's departments. Groups may
also combine both as ``rolle@FACHBEREICH`` (e.g. ``leitung@STE``).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from buergerticket.org.models import Department, Organisation, Role, Staff

# German ways of naming our roles in a lane or group (compared case-insensitively).
ROLE_ALIASES: dict[str, str] = {
    "sachbearbeitung": Role.CLERK,
    "sachbearbeiter": Role.CLERK,
    "sachbearbeiterin": Role.CLERK,
    "sachbearbeiter:in": Role.CLERK,
    "sachbearbeiter*in": Role.CLERK,
    "leitung": Role.LEAD,
    "amtsleitung": Role.LEAD,
    "fachbereichsleitung": Role.LEAD,
    "abteilungsleitung": Role.LEAD,
    "teamleitung": Role.LEAD,
    "schlusszeichnung": Role.SIGNER,
    "schlusszeichnende": Role.SIGNER,
    "zeichnungsbefugte": Role.SIGNER,
    "administration": Role.ADMIN,
    "datenschutz": Role.DATA_PROTECTION,
}


def normalise(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


@dataclass(frozen=True)
class Target:
    """What a group or user of the model means here."""

    role: str = ""
    department: str = ""  # department code
    username: str = ""

    def label(self) -> str:
        parts = []
        if self.role:
            parts.append(f"Rolle {Role(self.role).label}")
        if self.department:
            parts.append(f"Fachbereich {self.department}")
        if self.username:
            parts.append(f"Person {self.username}")
        return ", ".join(parts)


class Directory:
    """Roles, departments and staff of one organisation (or roles only, without one)."""

    def __init__(self, organisation: Organisation | None = None):
        self.organisation = organisation
        self._departments: dict[str, str] | None = None
        self._usernames: set[str] | None = None

    # Loaded on first use: most groups name a role, which needs no query.
    @property
    def departments(self) -> dict[str, str]:
        if self._departments is None:
            self._departments = {}
            if self.organisation is not None:
                rows = Department.objects.filter(organisation=self.organisation).values_list(
                    "code", "name"
                )
                for code, name in rows:
                    self._departments[normalise(code)] = code
                    self._departments[normalise(name)] = code
        return self._departments

    @property
    def usernames(self) -> set[str]:
        if self._usernames is None:
            self._usernames = set()
            if self.organisation is not None:
                self._usernames = set(
                    Staff.objects.filter(organisation=self.organisation, active=True).values_list(
                        "user__username", flat=True
                    )
                )
        return self._usernames

    def _role(self, name: str) -> str:
        key = normalise(name)
        if key in ROLE_ALIASES:
            return str(ROLE_ALIASES[key])
        for role in Role:
            if key == normalise(str(role.label)):
                return str(role.value)
        return ""

    def map_group(self, name: str) -> Target | None:
        role_part, _, department_part = name.partition("@")
        if department_part:
            role = self._role(role_part)
            department = self.departments.get(normalise(department_part), "")
            if role and (department or self.organisation is None):
                return Target(role=role, department=department or department_part.strip())
            return None
        role = self._role(name)
        if role:
            return Target(role=role)
        code = self.departments.get(normalise(name))
        if code:
            return Target(department=code)
        return None

    def map_user(self, name: str) -> Target | None:
        if self.organisation is None or name in self.usernames:
            return Target(username=name)
        return None
