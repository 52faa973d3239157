"""Strict fake of Gemini: ``POST /v1beta/models/{model}:generateContent`` and
``:streamGenerateContent?alt=sse``.

Rejects what Gemini rejects: empty ``contents``, roles other than ``user``/``model``, a
``functionCall`` turn that does not follow a user or function-response turn, a
``functionResponse`` turn that does not come right after its ``functionCall`` turn, or whose
number of parts differs. Over the window: 400 INVALID_ARGUMENT "The input token count (X)
exceeds the maximum number of tokens allowed (Y)."
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import orjson
from aiohttp import web

from tests.fakes.strict_base import ProviderError, Recorded, StrictFake, chunks, output_tokens
from tests.fakes.strict_scripts import FakeRequest, Reply


def _parts(content: Any) -> list[Mapping[str, Any]]:
    parts = content.get("parts") if isinstance(content, Mapping) else None
    return [p for p in parts if isinstance(p, Mapping)] if isinstance(parts, list) else []


def _has(parts: list[Mapping[str, Any]], key: str) -> int:
    return sum(1 for p in parts if key in p)


class GeminiFake(StrictFake):
    api: ClassVar[str] = "gemini"
    conversation_keys: ClassVar[tuple[str, ...]] = (
        "systemInstruction",
        "system_instruction",
        "contents",
        "tools",
    )

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/v1beta/models/{call}", self._route)

    async def _route(self, request: web.Request) -> web.StreamResponse:
        model, _, method = request.match_info["call"].partition(":")
        if method not in ("generateContent", "streamGenerateContent"):
            return web.json_response(
                {"error": {"code": 404, "message": f"Method not found: {method}", "status": "NOT_FOUND"}},
                status=404,
            )
        return await self.handle(request, model=model, stream=method == "streamGenerateContent")

    # -- validation ----------------------------------------------------------------------------

    def parse(self, body: dict[str, Any], request: web.Request, model: str | None) -> FakeRequest:
        if not (request.headers.get("x-goog-api-key") or request.query.get("key")):
            raise ProviderError(
                403,
                "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
                grpc_status="PERMISSION_DENIED",
            )
        contents = body.get("contents")
        if not isinstance(contents, list) or not contents:
            raise ProviderError(400, "* GenerateContentRequest.contents: contents is not specified\n")
        self._check_contents(contents)
        system = body.get("systemInstruction") or body.get("system_instruction")
        texts = [str(p.get("text", "")) for p in _parts(system)]
        last_user, tool_results = "", 0
        for content in contents:
            parts = _parts(content)
            texts += [str(p["text"]) for p in parts if "text" in p]
            tool_results += _has(parts, "functionResponse")
            if content.get("role", "user") == "user" and _has(parts, "text"):
                last_user = "\n".join(str(p["text"]) for p in parts if "text" in p)
        tools = tuple(
            str(d.get("name", ""))
            for t in body.get("tools") or ()
            if isinstance(t, Mapping)
            for d in t.get("functionDeclarations") or t.get("function_declarations") or ()
        )
        return FakeRequest(
            api=self.api,
            model=model or "",
            body=body,
            headers=dict(request.headers),
            texts=tuple(texts),
            last_user_text=last_user,
            tool_names=tools,
            tool_results=tool_results,
            input_tokens=self.count_conversation(body),
        )

    @staticmethod
    def _check_contents(contents: list[Any]) -> None:
        previous: Mapping[str, Any] | None = None
        for content in contents:
            role = content.get("role", "user") if isinstance(content, Mapping) else None
            if role not in ("user", "model", "function"):
                raise ProviderError(400, "Please use a valid role: user, model.")
            parts = _parts(content)
            calls = _has(parts, "functionCall")
            responses = _has(parts, "functionResponse")
            prev_parts = _parts(previous)
            if (
                calls
                and previous is not None
                and not (
                    previous.get("role", "user") != "model"
                    and (_has(prev_parts, "text") or _has(prev_parts, "functionResponse"))
                )
            ):
                raise ProviderError(
                    400,
                    "Please ensure that function call turn comes immediately after a user turn or after a function response turn.",
                )
            if responses:
                prev_calls = _has(prev_parts, "functionCall")
                if previous is None or previous.get("role") != "model" or not prev_calls:
                    raise ProviderError(
                        400,
                        "Please ensure that function response turn comes immediately after a function call turn.",
                    )
                if responses != prev_calls:
                    raise ProviderError(
                        400,
                        "Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.",
                    )
            previous = content

    def overflow_error(self, tokens: int, completion: int, limit: int) -> ProviderError:
        return ProviderError(
            400, f"The input token count ({tokens}) exceeds the maximum number of tokens allowed ({limit})."
        )

    def check_window(self, parsed: FakeRequest, body: Mapping[str, Any], rec: Recorded) -> None:
        if parsed.input_tokens > self.window_for(parsed.model):  # Gemini counts input only
            rec.outcome = "overflow"
            raise self.overflow_error(parsed.input_tokens, 0, self.window_for(parsed.model))

    def error_response(self, exc: ProviderError) -> web.Response:
        status = exc.fields.get("grpc_status", "INVALID_ARGUMENT")
        payload = {"error": {"code": exc.status, "message": exc.message, "status": status}}
        return web.Response(status=exc.status, body=orjson.dumps(payload), content_type="application/json")

    # -- replies -------------------------------------------------------------------------------

    def _usage(self, parsed: FakeRequest, reply: Reply) -> dict[str, Any]:
        out = output_tokens(reply)
        return {
            "promptTokenCount": parsed.input_tokens,
            "candidatesTokenCount": out,
            "totalTokenCount": parsed.input_tokens + out,
        }

    def _candidate(self, parts: list[dict[str, Any]], finish: str | None) -> dict[str, Any]:
        candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
        if finish:
            candidate["finishReason"] = finish
        return candidate

    def json_reply(self, parsed: FakeRequest, reply: Reply, rec: Recorded) -> dict[str, Any]:
        parts: list[dict[str, Any]] = [{"text": reply.text}] if reply.text else []
        parts += [{"functionCall": {"name": c.name, "args": dict(c.arguments)}} for c in reply.tool_calls]
        return {
            "candidates": [self._candidate(parts, "STOP")],
            "usageMetadata": self._usage(parsed, reply),
            "modelVersion": parsed.model,
            "responseId": f"fake-{self.next_id()}",
        }

    async def stream_reply(
        self, request: web.Request, parsed: FakeRequest, reply: Reply, rec: Recorded
    ) -> web.StreamResponse:
        response_id = f"fake-{self.next_id()}"

        def event(parts: list[dict[str, Any]], finish: str | None = None) -> bytes:
            payload: dict[str, Any] = {
                "candidates": [self._candidate(parts, finish)],
                "modelVersion": parsed.model,
                "responseId": response_id,
            }
            payload["usageMetadata"] = (
                self._usage(parsed, reply) if finish else {"promptTokenCount": parsed.input_tokens}
            )
            return b"data: " + orjson.dumps(payload) + b"\r\n\r\n"

        pieces = chunks(reply.text) if reply.text else []
        calls = [{"functionCall": {"name": c.name, "args": dict(c.arguments)}} for c in reply.tool_calls]
        events = [event([{"text": p}]) for p in pieces[:-1]]
        last: list[dict[str, Any]] = ([{"text": pieces[-1]}] if pieces else []) + calls
        events.append(event(last, "STOP"))
        return await self.sse(request, events)
