"""Tool calls written as text: agents that drive a model without native tool calling.

Such an agent writes its call into the assistant's text and sends the tool's output back as a
user message, opened by a fixed marker:

- OpenHands (and LiteLLM's function-call prompt) for models without function calling: the call
  ``<function=execute_bash>\\n<parameter=command>ls</parameter>\\n</function>``, the output
  ``EXECUTION RESULT of [execute_bash]:\\n…``;
- SWE-agent's thought-action format: the command in a fenced block at the end of the
  assistant's text, the output ``OBSERVATION:\\n…``.

The chat adapter reads such a user message as a tool output (:func:`observation`): the marker
stays verbatim in front of it (the message's ``lead``), and only the output after it is masked,
cut or summarized. An assistant message holding a ``<function=…>`` call issues the id the
output right after it answers (:func:`call_id`), so the two stay in one group.
:func:`split_calls` gives the summarizer the calls of an assistant's text as ``{name,
arguments}`` objects, the text without them.
"""

from __future__ import annotations

import re

# a user message's opening marker: (marker, the tool's name when it says)
_MARKER = re.compile(r"(?:EXECUTION RESULT of \[([A-Za-z0-9_.:-]{1,64})\]:|OBSERVATION:)[ \t]*\n")
OPENINGS = ("EXECUTION RESULT of [", "OBSERVATION:")
_CALL = re.compile(r"<function=([A-Za-z0-9_.:-]{1,64})>\n?(.*?)</function>", re.S)
_PARAM = re.compile(r"<parameter=([A-Za-z0-9_.:-]{1,64})>\n?(.*?)\n?</parameter>", re.S)


def observation(text: str) -> tuple[str, str | None] | None:
    """(the marker, the tool's name or None) when ``text`` is a tool's output sent as a user
    message; None otherwise. Cheap on any other text: one ``startswith``."""
    if not text.startswith(OPENINGS):
        return None
    m = _MARKER.match(text)
    if m is None:
        return None
    return m.group(0), m.group(1)


def result_id(index: int) -> str:
    """The id an output sent as the user message at ``index`` answers."""
    return f"ctxproxy-text-call-{index}"


def call_id(text: str, index: int) -> str | None:
    """The id an assistant message at ``index`` issues when its text holds a ``<function=…>``
    call: the one the output right after it answers."""
    if "<function=" not in text or _CALL.search(text) is None:
        return None
    return result_id(index + 1)


def split_calls(text: str) -> tuple[str, list[dict[str, object]]]:
    """(the text without its ``<function=…>`` calls, each call as ``{name, arguments}``)."""
    if "<function=" not in text:
        return text, []
    calls: list[dict[str, object]] = []

    def take(m: re.Match[str]) -> str:
        args = {p.group(1): p.group(2) for p in _PARAM.finditer(m.group(2))}
        calls.append({"name": m.group(1), "arguments": args})
        return ""

    prose = _CALL.sub(take, text)
    return prose.strip(), calls
