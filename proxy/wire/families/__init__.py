"""Provider families (the ``api`` of an upstream), one module each, and their registry.

A new family: a module with a :class:`Family` (or a subclass overriding what its dialect
changes) and one line in ``FAMILIES`` (plus its name in ``FamilyName``)."""

from __future__ import annotations

from collections.abc import Mapping

from proxy.wire.families.anthropic import ANTHROPIC
from proxy.wire.families.base import AUTH_HEADERS, FAMILY_NAMES, Family, FamilyName, ModelRow
from proxy.wire.families.gemini import GEMINI
from proxy.wire.families.openai import OPENAI

FAMILIES: dict[str, Family] = {
    "openai": OPENAI,
    "anthropic": ANTHROPIC,
    "gemini": GEMINI,
}


def marked_family(headers: Mapping[str, str]) -> Family | None:
    """The family whose SDK marks its requests with a header these headers carry, if any."""
    for family in FAMILIES.values():
        if family.client_marker is not None and family.client_marker in headers:
            return family
    return None


def family_of_client(headers: Mapping[str, str]) -> Family:
    """The family whose SDK sent a request with these headers; OpenAI's when none says."""
    return marked_family(headers) or FAMILIES["openai"]


def get_family(name: str) -> Family:
    """The family for an upstream ``api`` value; unknown names speak OpenAI's dialect."""
    return FAMILIES.get(name) or FAMILIES["openai"]


__all__ = [
    "AUTH_HEADERS",
    "FAMILIES",
    "FAMILY_NAMES",
    "Family",
    "FamilyName",
    "ModelRow",
    "family_of_client",
    "get_family",
    "marked_family",
]
