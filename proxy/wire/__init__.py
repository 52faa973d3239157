"""Wire adapters: one module per API family, all producing the same :class:`Conversation`."""

from __future__ import annotations

from typing import Any, Literal

from proxy.wire.anthropic import AnthropicAdapter
from proxy.wire.base import WireAdapter
from proxy.wire.conversation import Conversation, Group, Message, Segment
from proxy.wire.gemini import GeminiAdapter
from proxy.wire.openai_chat import OpenAIChatAdapter
from proxy.wire.openai_responses import OpenAIResponsesAdapter

ApiName = Literal["openai-chat", "openai-responses", "anthropic", "gemini"]
API_NAMES: tuple[str, ...] = ("openai-chat", "openai-responses", "anthropic", "gemini")


def get_adapter(api: str) -> WireAdapter:
    """The adapter for an API name (stateless; cheap to create)."""
    if api == "openai-chat":
        return OpenAIChatAdapter()
    if api == "openai-responses":
        return OpenAIResponsesAdapter()
    if api == "anthropic":
        return AnthropicAdapter()
    if api == "gemini":
        return GeminiAdapter()
    raise ValueError(f"unknown API {api!r} (expected one of {', '.join(API_NAMES)})")


def api_for_path(path: str) -> str | None:
    """Which API a request path speaks: ``.../chat/completions`` → ``openai-chat``, ..."""
    tail = path.split("?", 1)[0].rstrip("/")
    if tail.endswith("/chat/completions") or tail == "chat/completions":
        return "openai-chat"
    if tail.endswith("/responses") or tail == "responses":
        return "openai-responses"
    if tail.endswith("/messages") or tail == "messages":
        return "anthropic"
    if tail.endswith(":generateContent") or tail.endswith(":streamGenerateContent"):
        return "gemini"
    return None


def api_for_body(body: dict[str, Any]) -> str | None:
    """Best guess from the body alone (the CLI's ``--api`` default)."""
    if "contents" in body:
        return "gemini"
    if "input" in body or "instructions" in body:
        return "openai-responses"
    if "messages" in body:
        if "system" in body or (isinstance(body.get("max_tokens"), int) and "anthropic_version" in body):
            return "anthropic"
        for m in body["messages"] if isinstance(body["messages"], list) else ():
            content = m.get("content") if isinstance(m, dict) else None
            if isinstance(content, list) and any(
                isinstance(b, dict) and b.get("type") in ("tool_use", "tool_result", "thinking")
                for b in content
            ):
                return "anthropic"
        return "openai-chat"
    return None


__all__ = [
    "API_NAMES",
    "ApiName",
    "Conversation",
    "Group",
    "Message",
    "Segment",
    "WireAdapter",
    "api_for_body",
    "api_for_path",
    "get_adapter",
]
