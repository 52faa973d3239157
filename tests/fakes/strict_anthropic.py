"""Strict fake of Anthropic Messages: ``POST /v1/messages`` (JSON and SSE).

Rejects what Anthropic rejects (reference/invariants.md): a missing ``anthropic-version``
header or ``max_tokens``, a first message that is not ``user``, two messages of one role in a
row, ``tool_use`` not answered by ``tool_result`` blocks at the start of the next user message,
a ``tool_result`` without its ``tool_use``, a final assistant message ending in whitespace,
more than 4 ``cache_control`` breakpoints, and thinking blocks whose signature does not match
(the fake signs the thinking it emits with a hash of its text, so an edited block fails).
Over the window: "prompt is too long: X tokens > Y maximum", or "input length and
`max_tokens` exceed context limit: A + B > C" when only the output reservation overflows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, ClassVar

import orjson
from aiohttp import web

from tests.fakes.strict_base import ProviderError, Recorded, StrictFake, chunks, output_tokens
from tests.fakes.strict_scripts import FakeRequest, Reply


def sign(thinking: str) -> str:
    return hashlib.sha256(thinking.encode()).hexdigest()


def _blocks(content: Any) -> list[Any]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return list(content) if isinstance(content, list) else []


def cache_markers(value: Any) -> int:
    """How many ``cache_control`` breakpoints a body (or any part of one) carries."""
    if isinstance(value, Mapping):
        return int("cache_control" in value) + sum(cache_markers(v) for v in value.values())
    if isinstance(value, list):
        return sum(cache_markers(v) for v in value)
    return 0


class AnthropicFake(StrictFake):
    api: ClassVar[str] = "anthropic"
    conversation_keys: ClassVar[tuple[str, ...]] = ("system", "messages", "tools")

    @property
    def base_url(self) -> str:
        return self.origin  # the SDK appends /v1/messages

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/v1/messages", self.handle)

    # -- validation ----------------------------------------------------------------------------

    def parse(self, body: dict[str, Any], request: web.Request, model: str | None) -> FakeRequest:
        if "anthropic-version" not in request.headers:
            raise ProviderError(400, "anthropic-version: header is required")
        for key in ("model", "max_tokens", "messages"):
            if key not in body:
                raise ProviderError(400, f"{key}: Field required")
        messages = body["messages"]
        if not isinstance(messages, list) or not messages:
            raise ProviderError(400, "messages: at least one message is required")
        self._check_messages(messages)
        count = cache_markers({k: body.get(k) for k in ("system", "messages", "tools")})
        if count > 4:
            raise ProviderError(
                400, f"A maximum of 4 blocks with cache_control may be provided. Found {count}."
            )
        texts = [b.get("text", "") for b in _blocks(body.get("system"))]
        last_user, tool_results = "", 0
        for message in messages:
            for block in _blocks(message.get("content")):
                if block.get("type") == "text":
                    texts.append(str(block.get("text", "")))
                elif block.get("type") == "tool_result":
                    tool_results += 1
                    texts.append(orjson.dumps(block.get("content", "")).decode())
            if message.get("role") == "user" and any(
                b.get("type") == "text" for b in _blocks(message.get("content"))
            ):
                last_user = "\n".join(
                    str(b.get("text", "")) for b in _blocks(message.get("content")) if b.get("type") == "text"
                )
        tools = tuple(str(t.get("name", "")) for t in body.get("tools") or () if isinstance(t, Mapping))
        return FakeRequest(
            api=self.api,
            model=str(body["model"]),
            body=body,
            headers=dict(request.headers),
            texts=tuple(texts),
            last_user_text=last_user,
            tool_names=tools,
            tool_results=tool_results,
            input_tokens=self.count_conversation(body),
        )

    def _check_messages(self, messages: list[Any]) -> None:
        if messages[0].get("role") != "user":
            raise ProviderError(400, 'messages: first message must use the "user" role')
        previous_uses: list[str] = []
        for i, message in enumerate(messages):
            role = message.get("role")
            if role not in ("user", "assistant"):
                raise ProviderError(400, f"messages.{i}.role: Input should be 'user' or 'assistant'")
            if i and messages[i - 1].get("role") == role:
                raise ProviderError(
                    400,
                    f'messages: roles must alternate between "user" and "assistant", but found multiple "{role}" roles in a row',
                )
            blocks = _blocks(message.get("content"))
            results = [b.get("tool_use_id") for b in blocks if b.get("type") == "tool_result"]
            leading = 0
            while leading < len(blocks) and blocks[leading].get("type") == "tool_result":
                leading += 1
            if previous_uses:
                answered = [b.get("tool_use_id") for b in blocks[:leading]]
                missing = [u for u in previous_uses if u not in answered]
                if role != "user" or missing:
                    raise ProviderError(
                        400,
                        f"messages.{i - 1}: `tool_use` ids were found without `tool_result` blocks immediately after: "
                        f"{', '.join(missing or previous_uses)}. Each `tool_use` block must have a corresponding "
                        "`tool_result` block in the next message.",
                    )
            for j, result in enumerate(results):
                if result not in previous_uses or j >= leading:
                    raise ProviderError(
                        400,
                        f"messages.{i}.content.{j}: unexpected `tool_use_id` found in `tool_result` blocks: {result}. "
                        "Each `tool_result` block must have a corresponding `tool_use` block in the previous message.",
                    )
            previous_uses = (
                [str(b.get("id")) for b in blocks if b.get("type") == "tool_use"]
                if role == "assistant"
                else []
            )
            for j, block in enumerate(blocks):
                if block.get("type") == "thinking" and block.get("signature") != sign(
                    str(block.get("thinking", ""))
                ):
                    raise ProviderError(
                        400, f"messages.{i}.content.{j}: Invalid `signature` in `thinking` block"
                    )
        if previous_uses:
            raise ProviderError(
                400,
                f"messages.{len(messages) - 1}: `tool_use` ids were found without `tool_result` blocks immediately after: "
                f"{', '.join(previous_uses)}. Each `tool_use` block must have a corresponding `tool_result` block in the next message.",
            )
        last = messages[-1]
        if last.get("role") == "assistant":
            blocks = _blocks(last.get("content"))
            if (
                blocks
                and blocks[-1].get("type") == "text"
                and str(blocks[-1].get("text", "")) != str(blocks[-1].get("text", "")).rstrip()
            ):
                raise ProviderError(
                    400, "messages: final assistant content cannot end with trailing whitespace"
                )

    def requested_output(self, body: Mapping[str, Any]) -> int:
        value = body.get("max_tokens")
        return value if isinstance(value, int) else 0

    def overflow_error(self, tokens: int, completion: int, limit: int) -> ProviderError:
        if tokens > limit:
            return ProviderError(400, f"prompt is too long: {tokens} tokens > {limit} maximum")
        return ProviderError(
            400,
            f"input length and `max_tokens` exceed context limit: {tokens} + {completion} > {limit}, "
            "decrease input length or `max_tokens` and try again",
        )

    def too_large_error(self, size: int) -> ProviderError:
        return ProviderError(
            413, "Request exceeds the maximum allowed number of bytes.", type="request_too_large"
        )

    def error_response(self, exc: ProviderError) -> web.Response:
        payload = {
            "type": "error",
            "error": {"type": exc.fields.get("type", "invalid_request_error"), "message": exc.message},
            "request_id": "req_fake",
        }
        return web.Response(status=exc.status, body=orjson.dumps(payload), content_type="application/json")

    # -- replies -------------------------------------------------------------------------------

    def _content(self, parsed: FakeRequest, reply: Reply) -> list[dict[str, Any]]:
        content: list[dict[str, Any]] = []
        thinking_on = (parsed.body.get("thinking") or {}).get("type") in ("enabled", "adaptive")
        if thinking_on:
            thought = reply.thinking or "Let me think about this."
            content.append({"type": "thinking", "thinking": thought, "signature": sign(thought)})
        if reply.text:
            content.append({"type": "text", "text": reply.text})
        for call in reply.tool_calls:
            content.append(
                {
                    "type": "tool_use",
                    "id": f"toolu_{self.next_id():06d}",
                    "name": call.name,
                    "input": dict(call.arguments),
                }
            )
        return content

    def _message(self, parsed: FakeRequest, reply: Reply, content: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "id": f"msg_{self.next_id():06d}",
            "type": "message",
            "role": "assistant",
            "model": parsed.model,
            "content": content,
            "stop_reason": "tool_use" if reply.tool_calls else "end_turn",
            "stop_sequence": None,
            "usage": {
                "input_tokens": parsed.input_tokens,
                "output_tokens": output_tokens(reply),
                "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0,
            },
        }

    def json_reply(self, parsed: FakeRequest, reply: Reply, rec: Recorded) -> dict[str, Any]:
        return self._message(parsed, reply, self._content(parsed, reply))

    async def stream_reply(
        self, request: web.Request, parsed: FakeRequest, reply: Reply, rec: Recorded
    ) -> web.StreamResponse:
        content = self._content(parsed, reply)
        message = self._message(parsed, reply, [])
        final_usage = message["usage"]
        message["usage"] = {**final_usage, "output_tokens": 1}
        message["stop_reason"] = None

        def event(kind: str, **data: Any) -> bytes:
            return f"event: {kind}\n".encode() + b"data: " + orjson.dumps({"type": kind, **data}) + b"\n\n"

        events = [event("message_start", message=message)]
        for index, block in enumerate(content):
            if block["type"] == "text":
                events.append(
                    event("content_block_start", index=index, content_block={"type": "text", "text": ""})
                )
                events += [
                    event("content_block_delta", index=index, delta={"type": "text_delta", "text": p})
                    for p in chunks(block["text"])
                ]
            elif block["type"] == "thinking":
                events.append(
                    event(
                        "content_block_start",
                        index=index,
                        content_block={"type": "thinking", "thinking": "", "signature": ""},
                    )
                )
                events += [
                    event("content_block_delta", index=index, delta={"type": "thinking_delta", "thinking": p})
                    for p in chunks(block["thinking"])
                ]
                events.append(
                    event(
                        "content_block_delta",
                        index=index,
                        delta={"type": "signature_delta", "signature": block["signature"]},
                    )
                )
            else:
                events.append(event("content_block_start", index=index, content_block={**block, "input": {}}))
                arguments = orjson.dumps(block["input"]).decode()
                events += [
                    event(
                        "content_block_delta",
                        index=index,
                        delta={"type": "input_json_delta", "partial_json": p},
                    )
                    for p in chunks(arguments, 8)
                ]
            events.append(event("content_block_stop", index=index))
        stop = "tool_use" if reply.tool_calls else "end_turn"
        events.append(
            event(
                "message_delta",
                delta={"stop_reason": stop, "stop_sequence": None},
                usage={"output_tokens": final_usage["output_tokens"]},
            )
        )
        events.append(event("message_stop"))
        return await self.sse(request, events)
