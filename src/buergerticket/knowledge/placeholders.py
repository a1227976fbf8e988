"""Placeholders in reply templates, filled from the case when a clerk inserts one.

Written in braces, e.g. ``{Aktenzeichen}``; unknown names stay as they are so
a typo is visible in the reply instead of silently disappearing.
"""

from __future__ import annotations

import re

from django.utils import timezone

from buergerticket.cases.models import Case
from buergerticket.org.models import Staff

_PLACEHOLDER = re.compile(r"\{([A-Za-zÄÖÜäöüß]+)\}")


def values(case: Case, staff: Staff) -> dict[str, str]:
    return {
        "aktenzeichen": case.file_number,
        "betreff": case.subject,
        "name": case.requester_name or "Antragstellerin, Antragsteller",
        "leistung": case.service.name,
        "frist": case.deadline.strftime("%d.%m.%Y"),
        "eingang": timezone.localtime(case.created_at).strftime("%d.%m.%Y"),
        "organisation": case.organisation.name,
        "bearbeitung": staff.name,
        "fachbereich": case.department.name,
    }


NAMES = (
    "Aktenzeichen",
    "Betreff",
    "Name",
    "Leistung",
    "Frist",
    "Eingang",
    "Organisation",
    "Bearbeitung",
    "Fachbereich",
)


def fill(text: str, case: Case, staff: Staff) -> str:
    known = values(case, staff)
    return _PLACEHOLDER.sub(lambda m: known.get(m.group(1).lower(), m.group(0)), text)
