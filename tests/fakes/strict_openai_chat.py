"""Strict fake of OpenAI Chat Completions: ``POST /v1/chat/completions`` (JSON and SSE).

Rejects what OpenAI rejects (reference/invariants.md): unanswered ``tool_calls``, ``tool``
messages without a preceding ``tool_calls``, unknown roles, an empty ``messages``; and,
with ``reject_trailing_assistant=True``, a conversation ending on ``assistant`` (Azure AI).
Over the window: 400 ``context_length_exceeded`` with OpenAI's text.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, ClassVar

import orjson
from aiohttp import web

from tests.fakes.strict_base import ProviderError, Recorded, StrictFake, chunks, output_tokens
from tests.fakes.strict_scripts import FakeRequest, Reply

_ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})


def content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(p.get("text", "")) for p in content if isinstance(p, Mapping))
    return ""


class OpenAIChatFake(StrictFake):
    api: ClassVar[str] = "openai-chat"
    conversation_keys: ClassVar[tuple[str, ...]] = ("messages", "tools", "functions")

    def __init__(
        self, *args: Any, reject_trailing_assistant: bool = False, models: tuple[str, ...] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.reject_trailing_assistant = reject_trailing_assistant
        self.models = models  # what GET /v1/models lists
        self._prompts: list[list[bytes]] = []  # earlier requests' messages (the prompt cache)

    @property
    def base_url(self) -> str:
        return f"{self.origin}/v1"

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/v1/chat/completions", self.handle)
        app.router.add_get("/v1/models", self.list_models)

    async def list_models(self, request: web.Request) -> web.Response:
        data = [{"id": m, "object": "model", "created": 1735689600, "owned_by": "fake"} for m in self.models]
        return web.json_response({"object": "list", "data": data})

    # -- validation ----------------------------------------------------------------------------

    def parse(self, body: dict[str, Any], request: web.Request, model: str | None) -> FakeRequest:
        model_name = body.get("model")
        if not isinstance(model_name, str) or not model_name:
            raise ProviderError(400, "you must provide a model parameter", param=None)
        messages = body.get("messages")
        if not isinstance(messages, list):
            raise ProviderError(
                400,
                "Missing required parameter: 'messages'.",
                param="messages",
                code="missing_required_parameter",
            )
        if not messages:
            raise ProviderError(
                400,
                "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
                param="messages",
                code="empty_array",
            )
        self._check_messages(messages)
        texts: list[str] = []
        last_user = ""
        tool_results = 0
        for message in messages:
            text = content_text(message.get("content"))
            texts.append(text)
            if message.get("role") == "user":
                last_user = text
            elif message.get("role") == "tool":
                tool_results += 1
        tools = tuple(
            str(t.get("function", {}).get("name", ""))
            for t in body.get("tools") or ()
            if isinstance(t, Mapping)
        )
        return FakeRequest(
            api=self.api,
            model=model_name,
            body=body,
            headers=dict(request.headers),
            texts=tuple(texts),
            last_user_text=last_user,
            tool_names=tools,
            tool_results=tool_results,
            input_tokens=self.count_conversation(body),
        )

    def _check_messages(self, messages: list[Any]) -> None:
        pending: list[str] = []  # tool_call ids still waiting for their tool message
        pending_at = 0
        answerable: set[str] = set()
        for i, message in enumerate(messages):
            if not isinstance(message, Mapping):
                raise ProviderError(
                    400,
                    f"Invalid type for 'messages[{i}]': expected an object, but got a string instead.",
                    param=f"messages[{i}]",
                    code="invalid_type",
                )
            role = message.get("role")
            if role not in _ROLES:
                raise ProviderError(
                    400,
                    f"Invalid value: '{role}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.",
                    param=f"messages[{i}].role",
                    code="invalid_value",
                )
            if role == "tool":
                call_id = message.get("tool_call_id")
                if call_id not in answerable:
                    raise ProviderError(
                        400,
                        "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
                        param=f"messages.[{i}].role",
                    )
                if call_id in pending:
                    pending.remove(call_id)
                continue
            if pending:
                self._unanswered(pending, pending_at)
            answerable = set()
            if role == "assistant" and message.get("tool_calls"):
                calls = message["tool_calls"]
                for call in calls:
                    arguments = (
                        call.get("function", {}).get("arguments") if isinstance(call, Mapping) else None
                    )
                    if not isinstance(arguments, str):
                        raise ProviderError(
                            400,
                            f"Invalid type for 'messages[{i}].tool_calls[0].function.arguments': expected a string, but got an object instead.",
                            param=f"messages[{i}].tool_calls[0].function.arguments",
                            code="invalid_type",
                        )
                pending = [str(c.get("id")) for c in calls]
                answerable = set(pending)
                pending_at = i
        if pending:
            self._unanswered(pending, pending_at)
        if self.reject_trailing_assistant and messages[-1].get("role") == "assistant":
            raise ProviderError(
                400, "Expected last role to be one of: [tool, user] but got assistant", param="messages"
            )

    @staticmethod
    def _unanswered(pending: list[str], index: int) -> None:
        raise ProviderError(
            400,
            "An assistant message with 'tool_calls' must be followed by tool messages responding to each "
            f"'tool_call_id'. The following tool_call_ids did not have response messages: {', '.join(pending)}",
            param=f"messages.[{index}].role",
        )

    def requested_output(self, body: Mapping[str, Any]) -> int:
        value = body.get("max_completion_tokens", body.get("max_tokens"))
        return value if isinstance(value, int) else 0

    def overflow_error(self, tokens: int, completion: int, limit: int) -> ProviderError:
        if completion and tokens <= limit:
            text = (
                f"This model's maximum context length is {limit} tokens. However, you requested {tokens + completion} "
                f"tokens ({tokens} in the messages, {completion} in the completion). Please reduce the length of the "
                "messages or completion."
            )
        else:
            text = (
                f"This model's maximum context length is {limit} tokens. However, your messages resulted in {tokens} "
                "tokens. Please reduce the length of the messages."
            )
        return ProviderError(400, text, param="messages", code="context_length_exceeded")

    def error_response(self, exc: ProviderError) -> web.Response:
        error = {
            "message": exc.message,
            "type": exc.fields.get("type", "invalid_request_error"),
            "param": exc.fields.get("param"),
            "code": exc.fields.get("code"),
        }
        return web.Response(
            status=exc.status, body=orjson.dumps({"error": error}), content_type="application/json"
        )

    # -- replies -------------------------------------------------------------------------------

    def _calls(self, reply: Reply) -> list[dict[str, Any]]:
        return [
            {
                "id": f"call_{self.next_id():06d}",
                "type": "function",
                "function": {"name": c.name, "arguments": orjson.dumps(dict(c.arguments)).decode()},
            }
            for c in reply.tool_calls
        ]

    def _cached_tokens(self, parsed: FakeRequest) -> int:
        """OpenAI's automatic prompt cache, simplified: the longest run of leading messages an
        earlier request shared, in 128-token blocks, for prompts of 1024 tokens or more."""
        messages = [orjson.dumps(m) for m in parsed.body.get("messages") or []]
        shared = 0
        for old in self._prompts:
            k = 0
            while k < min(len(old), len(messages)) and old[k] == messages[k]:
                k += 1
            shared = max(shared, k)
        self._prompts.append(messages)
        if parsed.input_tokens < 1024 or not messages:
            return 0
        part = sum(map(len, messages[:shared])) / sum(map(len, messages))
        return int(parsed.input_tokens * part) // 128 * 128

    def _usage(self, parsed: FakeRequest, reply: Reply) -> dict[str, Any]:
        out = output_tokens(reply)
        return {
            "prompt_tokens": parsed.input_tokens,
            "completion_tokens": out,
            "total_tokens": parsed.input_tokens + out,
            "prompt_tokens_details": {"cached_tokens": self._cached_tokens(parsed)},
        }

    def json_reply(self, parsed: FakeRequest, reply: Reply, rec: Recorded) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": reply.text or None, "refusal": None}
        if reply.tool_calls:
            message["tool_calls"] = self._calls(reply)
        return {
            "id": f"chatcmpl-{self.next_id()}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": parsed.model,
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "logprobs": None,
                    "finish_reason": "tool_calls" if reply.tool_calls else "stop",
                }
            ],
            "usage": self._usage(parsed, reply),
        }

    async def stream_reply(
        self, request: web.Request, parsed: FakeRequest, reply: Reply, rec: Recorded
    ) -> web.StreamResponse:
        include_usage = bool((parsed.body.get("stream_options") or {}).get("include_usage"))
        base = {
            "id": f"chatcmpl-{self.next_id()}",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": parsed.model,
        }
        extra = {"usage": None} if include_usage else {}

        def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
            payload = {
                **base,
                "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
                **extra,
            }
            return b"data: " + orjson.dumps(payload) + b"\n\n"

        events = [chunk({"role": "assistant", "content": ""})]
        if reply.text:
            events += [chunk({"content": piece}) for piece in chunks(reply.text)]
        for index, call in enumerate(self._calls(reply)):
            head = {
                "index": index,
                "id": call["id"],
                "type": "function",
                "function": {"name": call["function"]["name"], "arguments": ""},
            }
            events.append(chunk({"tool_calls": [head]}))
            for piece in chunks(call["function"]["arguments"], 8):
                events.append(chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]}))
        events.append(chunk({}, "tool_calls" if reply.tool_calls else "stop"))
        if include_usage:
            events.append(
                b"data: "
                + orjson.dumps({**base, "choices": [], "usage": self._usage(parsed, reply)})
                + b"\n\n"
            )
        events.append(b"data: [DONE]\n\n")
        return await self.sse(request, events)
