"""Tool calls written as text: agents that drive a model without native tool calling.

Such an agent writes its call into the assistant's text and sends the tool's output back as a
user message, opened by a fixed marker:

- OpenHands (and LiteLLM's function-call prompt) for models without function calling: the call
  ``<function=execute_bash>\\n<parameter=command>ls</parameter>\\n</function>``, the output
  ``EXECUTION RESULT of [execute_bash]:\\n…``;
- Cline and Roo Code: the call ``<read_file>\\n<path>src/app.ts</path>\\n</read_file>``, the
  output a user message whose first text block is ``[read_file for 'src/app.ts'] Result:``;
- SWE-agent's thought-action format: the command in a fenced block at the end of the
  assistant's text, the output ``OBSERVATION:\\n…``.

:func:`text_protocol` reads such a user message as a tool output: the marker stays verbatim in
front of it (the message's ``lead``), and only the output after it is masked, cut or
summarized. An assistant message holding a call it recognises issues the id the output right
after it answers, so the two stay in one group. :func:`split_calls` gives the summarizer the
calls of an assistant's text as ``{name, arguments}`` objects, the text without them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from proxy.wire.conversation import Message

_NAME = r"[A-Za-z0-9_.:-]{1,64}"
# Cline's and Roo Code's tools: a call is ``<name>`` with one ``<param>value</param>`` a line
_XML_TOOLS = (
    "read_file|write_to_file|replace_in_file|apply_diff|insert_content|search_and_replace|"
    "execute_command|search_files|list_files|list_code_definition_names|browser_action|"
    "use_mcp_tool|access_mcp_resource|ask_followup_question|attempt_completion|new_task|"
    "plan_mode_respond|fetch_instructions|switch_mode|codebase_search|new_rule|web_fetch"
)
# a user message's opening marker: (marker, the tool's name when it says); Cline's names only
# its own tools, so a line such as ``[PASS] Result:`` stays what a person wrote
_MARKER = re.compile(
    rf"(?:EXECUTION RESULT of \[({_NAME})\]:|OBSERVATION:|\[({_XML_TOOLS})(?: for '[^\n]{{0,400}}?')?\] Result:)"
    r"[ \t]*(?:\n|\Z)"
)
OPENINGS = ("EXECUTION RESULT of [", "OBSERVATION:", "[")
_CALL = re.compile(rf"<function=({_NAME})>\n?(.*?)</function>", re.S)
_PARAM = re.compile(rf"<parameter=({_NAME})>\n?(.*?)\n?</parameter>", re.S)
_XML_CALL = re.compile(rf"<({_XML_TOOLS})>\s*(.*?)</\1>", re.S)
_XML_PARAM = re.compile(r"<([a-z_]{1,40})>\n?(.*?)\n?</\1>", re.S)


def may_hold(role: str, text: str) -> bool:
    """Whether a plain message could be read otherwise by :func:`text_protocol` (a test cheap
    enough for every message: the chat adapter's shortcut skips the rest)."""
    return (role == "user" and text.startswith(OPENINGS)) or (role == "assistant" and "</" in text)


def observation(text: str) -> tuple[str, str | None] | None:
    """(the marker, the tool's name or None) when ``text`` is a tool's output sent as a user
    message; None otherwise. Cheap on any other text: one ``startswith``."""
    if not text.startswith(OPENINGS):
        return None
    m = _MARKER.match(text)
    if m is None:
        return None
    return m.group(0), m.group(1) or m.group(2)


def result_id(index: int) -> str:
    """The id an output sent as the user message at ``index`` answers."""
    return f"ctxproxy-text-call-{index}"


def holds_call(text: str) -> bool:
    """Whether an assistant's text holds a call written as text (OpenHands' or Cline's)."""
    return ("<function=" in text and _CALL.search(text) is not None) or (
        "</" in text and _XML_CALL.search(text) is not None
    )


def split_calls(text: str) -> tuple[str, list[dict[str, object]]]:
    """(the text without the calls written in it, each call as ``{name, arguments}``)."""
    if "</" not in text:
        return text, []
    calls: list[dict[str, object]] = []

    def take(param: re.Pattern[str]) -> Callable[[re.Match[str]], str]:
        def one(m: re.Match[str]) -> str:
            args = {p.group(1): p.group(2) for p in param.finditer(m.group(2))}
            calls.append({"name": m.group(1), "arguments": args})
            return ""

        return one

    prose = _CALL.sub(take(_PARAM), text)
    prose = _XML_CALL.sub(take(_XML_PARAM), prose)
    return prose.strip(), calls


def text_protocol(msg: Message) -> Message:
    """``msg`` read for an agent that writes its tool calls as text: a user message opened by an
    output's marker is that tool's output (the marker kept as its lead); an assistant message
    holding a call issues the id the message after it answers. Any other message as it is."""
    segs = msg.segments
    if not segs or segs[0].kind != "text" or msg.calls or msg.results or msg.opaque:
        return msg
    if msg.role == "assistant":
        return replace(msg, calls=(result_id(msg.index + 1),)) if holds_call(msg.text) else msg
    if msg.role != "user" or (found := observation(segs[0].text)) is None:
        return msg
    marker, name = found
    outputs = tuple(replace(s, kind="tool_output") if s.kind == "text" else s for s in segs)
    first = replace(outputs[0], text=outputs[0].text[len(marker) :])
    return replace(
        msg, segments=(first, *outputs[1:]), results=(result_id(msg.index),), tool_name=name, lead=marker
    )
