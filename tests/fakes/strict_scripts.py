"""What a strict fake answers: replies, the request view scripts decide on, and ready scripts.

A script is any ``Callable[[FakeRequest], Reply | Fail]``. Scripts should decide from the
request itself (how many tool results the conversation already holds, which tools are
offered, what the last user turn says) rather than from call counts, so that a proxy's
retry or an agent's re-send gets the same answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ToolCall:
    name: str
    arguments: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Reply:
    """A successful answer: text, tool calls, or both (text first, as providers do)."""

    text: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    thinking: str = ""  # Anthropic only, when the request enables thinking


@dataclass(frozen=True)
class Fail:
    """A scripted error response, sent verbatim (e.g. a 429 or a 500)."""

    status: int
    body: Mapping[str, Any]


@dataclass(frozen=True)
class FakeRequest:
    """What a script sees: the API-independent essentials of one valid request."""

    api: str
    model: str
    body: Mapping[str, Any]
    headers: Mapping[str, str]
    texts: tuple[str, ...]  # every text in the conversation, in order (system included)
    last_user_text: str
    tool_names: tuple[str, ...]  # tools the request offers
    tool_results: int  # tool results already in the conversation
    input_tokens: int

    @property
    def text(self) -> str:
        return "\n".join(self.texts)


Script = Callable[[FakeRequest], "Reply | Fail"]


def always(text: str = "OK") -> Script:
    """Answer every request with the same text."""
    return lambda _request: Reply(text=text)


def tool_loop(n: int, name: str, arguments: Mapping[str, Any] | None = None, final: str = "done") -> Script:
    """Call ``name`` until the conversation holds ``n`` tool results, then answer ``final``."""
    args = dict(arguments or {})

    def script(request: FakeRequest) -> Reply:
        if request.tool_results < n:
            return Reply(text="", tool_calls=(ToolCall(name, args),))
        return Reply(text=final)

    return script


def massgen(
    answer: str = "The answer is 4. (2 + 2 = 4)", vote_for: str = "agent1", final: str | None = None
) -> Script:
    """MassGen's coordination loop (reference/massgen.md).

    ``new_answer`` while "(no answers available yet)", else ``vote`` when offered, else plain
    text: the winner's final presentation (no ``vote`` tool), ``final`` or ``answer``. That text
    is what MassGen saves as the turn's answer and replays as history in the next turn.
    Backends without workflow tools (``gemini``) ask for a JSON decision in the text instead:
    the same choice is answered as that JSON.
    """
    reason = f"{vote_for}'s answer is correct and complete."

    def script(request: FakeRequest) -> Reply:
        first = "(no answers available yet)" in request.last_user_text
        if "new_answer" in request.tool_names or "vote" in request.tool_names:
            if first and "new_answer" in request.tool_names:
                return Reply(tool_calls=(ToolCall("new_answer", {"content": answer}),))
            if "vote" in request.tool_names:
                return Reply(tool_calls=(ToolCall("vote", {"agent_id": vote_for, "reason": reason}),))
        elif '"action_type"' in request.last_user_text:
            if first:
                decision = {
                    "action_type": "new_answer",
                    "answer_data": {"action": "new_answer", "content": answer},
                }
            else:
                decision = {
                    "action_type": "vote",
                    "vote_data": {"action": "vote", "agent_id": vote_for, "reason": reason},
                }
            return Reply(text=json.dumps(decision))
        return Reply(text=final if final is not None else answer)

    return script
