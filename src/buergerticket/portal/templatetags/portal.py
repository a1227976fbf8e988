from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def for_field(kept: list[Any] | None, name: str) -> list[Any]:
    """Kept uploads that belong to one form field."""
    return [k for k in kept or [] if k.field == name]
