"""A fake of every provider's list-models endpoint, served on loopback from the hand-made
fixtures in ``tests/data/catalog-fixtures`` (or ``$CTXPROXY_CATALOG_FIXTURES``).

Each provider lives under ``/{provider}/…`` with its real path (``/groq/openai/v1/models``,
``/anthropic/v1/models``…), so a test points ``upstreams.<name>.base_url`` at
``server.base("groq")``. Also served: ``/models_dev/api.json`` (a small models.dev sample)
and ``/litellm/map.json`` (the bundled LiteLLM map, or one a test sets).

Fault injection per provider (``server.fault(provider, kind, times=None)``): ``timeout``
(sleeps ``slow_s``), ``500``, ``429`` (with ``Retry-After``), ``malformed`` (invalid JSON),
``empty`` (a valid, empty list), ``midpage`` (page 1 is fine, the next page fails with 500).
``times`` limits how many responses are faulty. ``server.hits`` counts requests per provider.
The third-party endpoints send an ``ETag`` and answer ``If-None-Match`` with 304.
"""

from __future__ import annotations

import asyncio
import copy
import time
import zlib
from collections import Counter
from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.fakes.catalog_docs import (
    FIXTURES,
    GEMINI_PAGE_2,
    MODELS_DEV,
    bundled_map,
    changed,
    extra,
    synthetic_models_dev,
)


@dataclass
class Fault:
    kind: str
    remaining: int | None  # None: forever
    retry_after: int = 7


class FakeCatalogServer:
    def __init__(self, slow_s: float = 5.0) -> None:
        self.slow_s = slow_s
        self.docs = {p.stem: orjson.loads(p.read_bytes()) for p in FIXTURES.glob("*.json")}
        self.bodies: dict[str, Any] = {
            name: copy.deepcopy(doc["response"]) for name, doc in self.docs.items()
        }
        self.bodies["models_dev"] = copy.deepcopy(MODELS_DEV)
        self.litellm_map: Any = None  # None: serve the installed bundled map
        self.page_size: dict[str, int] = {"fireworks": 2}
        self.faults: dict[str, Fault] = {}
        self.hits: Counter[str] = Counter()
        self.times: dict[str, list[float]] = {}  # provider → monotonic arrival times
        self.posts: list[Any] = []  # JSON bodies POSTed to /webhook/…
        self.fail_all = False
        self.etags = True  # third-party endpoints answer conditional GETs with 304
        # Benchmarks: every response's content differs from the previous one (one model's
        # limit moves), so no source is ever "unchanged" and every refresh rebuilds.
        self.changing = False
        self._revision = 0
        self._encoded: dict[int, bytes] = {}
        self.auth: dict[str, dict[str, str]] = {}  # provider → headers of the last request
        app = web.Application()
        app.router.add_route("*", "/{provider}/{tail:.*}", self._handle)
        self._server = TestServer(app, host="127.0.0.1", port=0)

    async def start(self) -> FakeCatalogServer:
        await self._server.start_server()
        return self

    async def close(self) -> None:
        await self._server.close()

    @property
    def root(self) -> str:
        return str(self._server.make_url("")).rstrip("/")

    def base(self, provider: str) -> str:
        return f"{self.root}/{provider}"

    def fault(self, provider: str, kind: str, times: int | None = None, retry_after: int = 7) -> None:
        self.faults[provider] = Fault(kind, times, retry_after)

    def clear_faults(self) -> None:
        self.faults.clear()

    def remove_model(self, provider: str, model_id: str) -> None:
        """Drop one model from a provider's served list (``data``/``models``/bare array)."""
        body = self.bodies[provider]
        items = body if isinstance(body, list) else body.get("data", body.get("models"))
        items[:] = [m for m in items if model_id not in (m.get("id"), m.get("name"), m.get("key"))]

    # -- dispatch ------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        provider = request.match_info["provider"]
        tail = request.match_info["tail"]
        self.hits[provider] += 1
        self.times.setdefault(provider, []).append(time.monotonic())
        if provider == "_control":
            # benchmarks: "fail" (every provider) | "ok" | "etag" | "noetag" | "changing" | "same"
            if tail in ("fail", "ok"):
                self.fail_all = tail == "fail"
            elif tail in ("changing", "same"):
                self.changing = tail == "changing"
            else:
                self.etags = tail == "etag"
            return web.json_response(
                {"fail_all": self.fail_all, "etags": self.etags, "changing": self.changing}
            )
        if self.fail_all:
            return web.json_response({"error": {"message": "down"}}, status=500)
        if provider == "webhook":
            self.posts.append(await request.json())
            return web.json_response({"ok": True})
        self.auth[provider] = {
            k.lower(): v
            for k, v in request.headers.items()
            if k.lower() in ("authorization", "x-api-key", "x-goog-api-key")
        }
        paged = bool(request.query.get("after_id") or request.query.get("pageToken"))
        fault = self.faults.get(provider)
        if fault is not None and (fault.kind != "midpage" or paged):
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    del self.faults[provider]
            return await self._faulty(provider, fault)
        if provider == "ollama" and tail == "api/show":
            wanted = (await request.json()).get("model")
            body = self._ollama_show(self.docs["ollama"]) if wanted == "qwen3:32b" else None
        else:
            body = self._body(provider, request.method, tail, request)
        if body is None:
            return web.json_response({"error": {"message": "not found"}}, status=404)
        if self.changing:
            self._revision += 1
            raw = orjson.dumps(changed(body, self._revision))
        else:
            raw = self._encode(body)
        if provider in ("models_dev", "litellm", "openrouter") and self.etags:
            etag = f'"{zlib.crc32(raw):08x}"'
            if request.headers.get("If-None-Match") == etag:
                return web.Response(status=304, headers={"ETag": etag})
            return web.Response(body=raw, content_type="application/json", headers={"ETag": etag})
        return web.Response(body=raw, content_type="application/json")

    def _encode(self, body: Any) -> bytes:
        """Large bodies (LiteLLM's 3 MB map) are encoded once, keyed by identity."""
        if not isinstance(body, dict) or len(body) < 1000:
            return orjson.dumps(body)
        cached = self._encoded.get(id(body))
        if cached is None:
            cached = self._encoded[id(body)] = orjson.dumps(body)
        return cached

    async def _faulty(self, provider: str, fault: Fault) -> web.StreamResponse:
        if fault.kind == "timeout":
            await asyncio.sleep(self.slow_s)
            return web.json_response({})
        if fault.kind == "429":
            return web.json_response(
                {"error": {"message": "rate limited"}},
                status=429,
                headers={"Retry-After": str(fault.retry_after)},
            )
        if fault.kind == "malformed":
            return web.Response(body=b'{"data": [ {"id": "x"', content_type="application/json")
        if fault.kind == "empty":
            empty: Any = [] if provider == "together" else {"object": "list", "data": [], "models": []}
            return web.json_response(empty)
        return web.json_response({"error": {"message": "boom"}}, status=500)

    def _body(self, provider: str, method: str, tail: str, request: web.Request) -> Any:
        q = request.query
        if provider == "models_dev":
            return self.bodies["models_dev"]
        if provider == "litellm":
            if self.litellm_map is None:
                self.litellm_map = bundled_map()
            return self.litellm_map
        if provider not in self.bodies:
            return None
        body, doc = self.bodies[provider], self.docs[provider]
        if provider == "anthropic" and q.get("after_id"):
            return extra(doc, "page2")
        if provider == "gemini":
            return GEMINI_PAGE_2 if q.get("pageToken") else body
        if provider == "fireworks":
            if tail.startswith("v1/serverless"):
                return extra(doc, "GET https://api.fireworks.ai/v1/serverless")
            return self._page(body, "models", int(q.get("pageToken") or 0), self.page_size["fireworks"])
        if provider == "xai" and tail == "v1/models":
            return extra(doc, "GET /v1/models")
        if provider == "nebius" and q.get("verbose") != "true":
            return {"object": "list", "data": [{"id": m["id"], "object": "model"} for m in body["data"]]}
        if provider == "ollama" and tail == "api/ps":
            return extra(doc, "GET /api/ps")
        return body

    @staticmethod
    def _page(body: dict[str, Any], key: str, start: int, size: int) -> dict[str, Any]:
        items = body[key]
        nxt = start + size
        return {
            key: items[start:nxt],
            "nextPageToken": str(nxt) if nxt < len(items) else "",
            "totalSize": len(items),
        }

    @staticmethod
    def _ollama_show(doc: dict[str, Any]) -> Any:
        # Only qwen3:32b has a fixture; other names get a 404.
        return extra(doc, 'POST /api/show {"model": "qwen3:32b"}')


def use_real_documents(server: FakeCatalogServer) -> None:
    """Serve the real models.dev and OpenRouter documents (tests/data/catalog-real)."""
    real = FIXTURES.parent / "catalog-real"
    server.bodies["models_dev"] = orjson.loads((real / "models_dev_api.json").read_bytes())
    server.bodies["openrouter"] = orjson.loads((real / "openrouter.json").read_bytes())


async def _serve_forever(port: int, models_dev_size: tuple[int, int] | None) -> None:
    server = FakeCatalogServer()
    if models_dev_size is None:
        use_real_documents(server)
    else:
        server.bodies["models_dev"] = synthetic_models_dev(*models_dev_size)
    server._server = TestServer(server._server.app, host="127.0.0.1", port=port)
    await server.start()
    await asyncio.Event().wait()


if __name__ == "__main__":
    import sys

    # python -m tests.fakes.catalog_server PORT [PROVIDERS PER_PROVIDER | real]: serve until killed.
    size = (
        (int(sys.argv[2]), int(sys.argv[3]))
        if len(sys.argv) > 3
        else None
        if sys.argv[2:] == ["real"]
        else (0, 0)
    )
    asyncio.run(_serve_forever(int(sys.argv[1]), size))
