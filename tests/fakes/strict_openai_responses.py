"""Strict fake of the OpenAI Responses API: ``POST /v1/responses`` (JSON and ``event:``/``data:`` SSE).

Keeps every response it produced, so ``previous_response_id`` chains work and count against
the window like OpenAI does (the chain's input + output + the new input). Rejects
(reference/invariants.md): ``function_call_output`` without its ``function_call``, a
``function_call`` left without output, a ``reasoning`` item without its following item, an
unknown ``previous_response_id``. Over the window: 400 ``context_length_exceeded`` (or, with
``overflow_as_event=True`` on streams, a ``response.failed`` event), unless the request says
``truncation: "auto"`` or carries a ``context_management`` compaction entry.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, ClassVar

import orjson
from aiohttp import web

from tests.fakes.strict_base import ProviderError, Recorded, StrictFake, chunks, output_tokens
from tests.fakes.strict_openai_chat import content_text
from tests.fakes.strict_scripts import FakeRequest, Reply

_OVERFLOW = "Your input exceeds the context window of this model. Please adjust your input and try again."


class OpenAIResponsesFake(StrictFake):
    api: ClassVar[str] = "openai-responses"
    conversation_keys: ClassVar[tuple[str, ...]] = ("instructions", "input", "tools")

    def __init__(self, *args: Any, overflow_as_event: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.overflow_as_event = overflow_as_event
        # response id → (tokens of the whole chain so far, output items, pending call ids)
        self.responses: dict[str, tuple[int, list[dict[str, Any]], set[str]]] = {}

    @property
    def base_url(self) -> str:
        return f"{self.origin}/v1"

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/v1/responses", self.handle)

    # -- validation ----------------------------------------------------------------------------

    def parse(self, body: dict[str, Any], request: web.Request, model: str | None) -> FakeRequest:
        model_name = body.get("model")
        if not isinstance(model_name, str) or not model_name:
            raise ProviderError(
                400, "Missing required parameter: 'model'.", param="model", code="missing_required_parameter"
            )
        raw_input = body.get("input", [])
        items: list[Any] = (
            [{"role": "user", "content": raw_input}] if isinstance(raw_input, str) else list(raw_input)
        )
        previous = body.get("previous_response_id")
        chain_tokens, known_calls = 0, set[str]()
        if previous is not None:
            if previous not in self.responses:
                raise ProviderError(
                    400,
                    f"Previous response with id '{previous}' not found.",
                    param="previous_response_id",
                    code="previous_response_not_found",
                )
            chain_tokens, _, known_calls = self.responses[previous]
        self._check_items(items, set(known_calls))
        texts, last_user, tool_results = [], "", 0
        if isinstance(body.get("instructions"), str):
            texts.append(body["instructions"])
        for item in items:
            kind = item.get("type", "message")
            if kind == "message":
                text = content_text(item.get("content"))
                texts.append(text)
                if item.get("role") == "user":
                    last_user = text
            elif kind == "function_call_output":
                tool_results += 1
                texts.append(str(item.get("output", "")))
        tools = tuple(str(t.get("name", "")) for t in body.get("tools") or () if isinstance(t, Mapping))
        return FakeRequest(
            api=self.api,
            model=model_name,
            body=body,
            headers=dict(request.headers),
            texts=tuple(texts),
            last_user_text=last_user,
            tool_names=tools,
            tool_results=tool_results,
            input_tokens=chain_tokens + self.count_conversation(body),
        )

    @staticmethod
    def _check_items(items: list[Any], calls: set[str]) -> None:
        outputs = {
            i.get("call_id")
            for i in items
            if isinstance(i, Mapping) and i.get("type") == "function_call_output"
        }
        for n, item in enumerate(items):
            if not isinstance(item, Mapping):
                raise ProviderError(
                    400,
                    f"Invalid type for 'input[{n}]': expected an object.",
                    param=f"input[{n}]",
                    code="invalid_type",
                )
            kind = item.get("type", "message")
            if kind == "function_call":
                calls.add(str(item.get("call_id")))
                if item.get("call_id") not in outputs:
                    raise ProviderError(
                        400, f"No tool output found for function call {item.get('call_id')}.", param="input"
                    )
            elif kind == "function_call_output":
                if item.get("call_id") not in calls:
                    raise ProviderError(
                        400,
                        f"No tool call found for function call output with call_id {item.get('call_id')}.",
                        param="input",
                    )
            elif kind == "reasoning":
                following = items[n + 1] if n + 1 < len(items) else None
                if (
                    not isinstance(following, Mapping)
                    or following.get("type") not in ("function_call", "message")
                    or (
                        following.get("type", "message") == "message" and following.get("role") != "assistant"
                    )
                ):
                    raise ProviderError(
                        400,
                        f"Item '{item.get('id')}' of type 'reasoning' was provided without its required following item.",
                        param="input",
                    )
        pending = calls - outputs
        if pending:
            first = sorted(pending)[0]
            raise ProviderError(400, f"No tool output found for function call {first}.", param="input")

    def requested_output(self, body: Mapping[str, Any]) -> int:
        value = body.get("max_output_tokens")
        return value if isinstance(value, int) else 0

    def check_window(self, parsed: FakeRequest, body: Mapping[str, Any], rec: Recorded) -> None:
        if body.get("truncation") == "auto" or any(
            isinstance(e, Mapping) and e.get("type") == "compaction"
            for e in body.get("context_management") or ()
        ):
            rec.extra["window_managed"] = True
            return
        if self.overflow_as_event and rec.stream and parsed.input_tokens > self.window_for(parsed.model):
            rec.extra["overflow_event"] = True
            return
        super().check_window(parsed, body, rec)

    def overflow_error(self, tokens: int, completion: int, limit: int) -> ProviderError:
        return ProviderError(400, _OVERFLOW, param="input", code="context_length_exceeded")

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

    def _response(self, parsed: FakeRequest, reply: Reply, status: str) -> dict[str, Any]:
        output: list[dict[str, Any]] = []
        if reply.text:
            output.append(
                {
                    "id": f"msg_{self.next_id():06d}",
                    "type": "message",
                    "status": "completed",
                    "role": "assistant",
                    "content": [{"type": "output_text", "text": reply.text, "annotations": []}],
                }
            )
        for call in reply.tool_calls:
            n = self.next_id()
            output.append(
                {
                    "id": f"fc_{n:06d}",
                    "type": "function_call",
                    "status": "completed",
                    "call_id": f"call_{n:06d}",
                    "name": call.name,
                    "arguments": orjson.dumps(dict(call.arguments)).decode(),
                }
            )
        out = output_tokens(reply)
        response_id = f"resp_{self.next_id():06d}"
        calls = {o["call_id"] for o in output if o["type"] == "function_call"}
        self.responses[response_id] = (parsed.input_tokens + out, output, calls)
        return {
            "id": response_id,
            "object": "response",
            "created_at": int(time.time()),
            "status": status,
            "model": parsed.model,
            "output": output,
            "parallel_tool_calls": True,
            "previous_response_id": parsed.body.get("previous_response_id"),
            "tool_choice": "auto",
            "tools": [],
            "usage": {
                "input_tokens": parsed.input_tokens,
                "input_tokens_details": {"cached_tokens": 0},
                "output_tokens": out,
                "output_tokens_details": {"reasoning_tokens": 0},
                "total_tokens": parsed.input_tokens + out,
            },
        }

    def json_reply(self, parsed: FakeRequest, reply: Reply, rec: Recorded) -> dict[str, Any]:
        return self._response(parsed, reply, "completed")

    async def stream_reply(
        self, request: web.Request, parsed: FakeRequest, reply: Reply, rec: Recorded
    ) -> web.StreamResponse:
        final = self._response(parsed, reply, "completed")
        seq = iter(range(1_000_000))

        def event(kind: str, **data: Any) -> bytes:
            payload = {"type": kind, "sequence_number": next(seq), **data}
            return f"event: {kind}\n".encode() + b"data: " + orjson.dumps(payload) + b"\n\n"

        started = {**final, "status": "in_progress", "output": [], "usage": None}
        events = [
            event("response.created", response=started),
            event("response.in_progress", response=started),
        ]
        if rec.extra.get("overflow_event"):
            rec.outcome, rec.status = "overflow", 200
            failed = {
                **started,
                "status": "failed",
                "error": {"code": "context_length_exceeded", "message": _OVERFLOW},
            }
            events.append(event("response.failed", response=failed))
            return await self.sse(request, events)
        for index, item in enumerate(final["output"]):
            if item["type"] == "message":
                text = item["content"][0]["text"]
                events.append(
                    event(
                        "response.output_item.added",
                        output_index=index,
                        item={**item, "status": "in_progress", "content": []},
                    )
                )
                part = {"type": "output_text", "text": "", "annotations": []}
                events.append(
                    event(
                        "response.content_part.added",
                        item_id=item["id"],
                        output_index=index,
                        content_index=0,
                        part=part,
                    )
                )
                for piece in chunks(text):
                    events.append(
                        event(
                            "response.output_text.delta",
                            item_id=item["id"],
                            output_index=index,
                            content_index=0,
                            delta=piece,
                            logprobs=[],
                        )
                    )
                events.append(
                    event(
                        "response.output_text.done",
                        item_id=item["id"],
                        output_index=index,
                        content_index=0,
                        text=text,
                        logprobs=[],
                    )
                )
                events.append(
                    event(
                        "response.content_part.done",
                        item_id=item["id"],
                        output_index=index,
                        content_index=0,
                        part=item["content"][0],
                    )
                )
            else:
                events.append(
                    event(
                        "response.output_item.added",
                        output_index=index,
                        item={**item, "status": "in_progress", "arguments": ""},
                    )
                )
                for piece in chunks(item["arguments"], 8):
                    events.append(
                        event(
                            "response.function_call_arguments.delta",
                            item_id=item["id"],
                            output_index=index,
                            delta=piece,
                        )
                    )
                events.append(
                    event(
                        "response.function_call_arguments.done",
                        item_id=item["id"],
                        output_index=index,
                        arguments=item["arguments"],
                    )
                )
            events.append(event("response.output_item.done", output_index=index, item=item))
        events.append(event("response.completed", response=final))
        return await self.sse(request, events)
