"""Wire adapters: one module per API family, all producing the same :class:`Conversation`."""

from __future__ import annotations

from typing import Any

from proxy.wire.anthropic import AnthropicAdapter
from proxy.wire.base import ChatAPI, WireAdapter
from proxy.wire.conversation import Conversation, Group, Message, Segment
from proxy.wire.gemini import GeminiAdapter
from proxy.wire.openai_chat import OpenAIChatAdapter
from proxy.wire.openai_responses import OpenAIResponsesAdapter

ApiName = str  # a key of CHAT_APIS

# The chat APIs the proxy understands. Adding one: write its module, add one line here.
CHAT_APIS: dict[ApiName, ChatAPI] = {
    adapter.api: adapter
    for adapter in (
        OpenAIChatAdapter(),
        OpenAIResponsesAdapter(),
        AnthropicAdapter(),
        GeminiAdapter(),
    )
}
API_NAMES: tuple[ApiName, ...] = tuple(CHAT_APIS)


def get_adapter(api: str) -> ChatAPI:
    """The adapter for an API name (stateless, shared)."""
    try:
        return CHAT_APIS[api]
    except KeyError:
        raise ValueError(f"unknown API {api!r} (expected one of {', '.join(API_NAMES)})") from None


def api_for_path(path: str) -> ApiName | None:
    """Which API a request path speaks: ``.../chat/completions`` → ``openai-chat``, ..."""
    return api_for_tail(path.split("?", 1)[0])


def api_for_tail(tail: str) -> ApiName | None:
    """:func:`api_for_path` for a path without a query string (the router's tail)."""
    tail = tail.rstrip("/")
    for name, adapter in CHAT_APIS.items():
        if adapter.matches_path(tail):
            return name
    return None


def api_for_body(body: dict[str, Any]) -> ApiName | None:
    """Best guess from the body alone (the CLI's ``--api`` default): the API whose
    :meth:`~proxy.wire.base.ChatAPI.body_likeness` is highest (ties: the first registered)."""
    best, best_score = None, 0
    for name, adapter in CHAT_APIS.items():
        score = adapter.body_likeness(body)
        if score > best_score:
            best, best_score = name, score
    return best


def api_mismatch(api: ApiName, body: dict[str, Any]) -> str | None:
    """Why ``body`` cannot be a request of ``api`` (the CLI's explicit ``--api``), plus the
    API it looks like; None when nothing plainly contradicts ``api``."""
    likely = api_for_body(body)
    hint = f"; it looks like {likely}: pass --api {likely}" if likely not in (None, api) else ""
    container = get_adapter(api).container
    if container not in body and hint:
        return f"the body has no {container!r}, which {api} requires{hint}"
    messages = body.get("messages")
    if api == "anthropic" and isinstance(messages, list):
        for i, m in enumerate(messages):
            role = m.get("role") if isinstance(m, dict) else None
            if role not in ("user", "assistant"):
                hint = hint or "; it looks like openai-chat: pass --api openai-chat"
                return (
                    f"messages[{i}] has role {role!r}, which anthropic rejects (user or assistant only){hint}"
                )
    if api == "openai-chat" and CHAT_APIS["anthropic"].body_likeness(body):
        marks = [f"a top-level {k!r}" for k in ("system", "anthropic_version") if k in body]
        what = marks[0] if marks else "content blocks only anthropic has"
        return (
            f"the body has {what}, which openai-chat rejects; it looks like anthropic: pass --api anthropic"
        )
    return None


__all__ = [
    "API_NAMES",
    "CHAT_APIS",
    "ApiName",
    "ChatAPI",
    "Conversation",
    "Group",
    "Message",
    "Segment",
    "WireAdapter",
    "api_for_body",
    "api_for_path",
    "api_for_tail",
    "api_mismatch",
    "get_adapter",
]
