"""The one paging loop (catalog/sources/paging.py) against a loopback server that pages."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from proxy.catalog.fetch import Fetcher, FetchError
from proxy.catalog.model import SourceModel
from proxy.catalog.sources.paging import after_id, page_token

IDS = [f"m{i}" for i in range(5)]


def _parse(body: Any) -> list[SourceModel]:
    return [SourceModel(id=row["id"]) for row in body["data"]]


async def _serve(handler: Any) -> TestServer:
    app = web.Application()
    app.router.add_get("/models", handler)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server


async def test_page_token_follows_next_page_token_and_keeps_the_page_size() -> None:
    seen: list[dict[str, str]] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append(dict(request.query))
        start = int(request.query.get("pageToken") or 0)
        size = int(request.query["pageSize"])
        body: dict[str, Any] = {"data": [{"id": i} for i in IDS[start : start + size]]}
        if start + size < len(IDS):
            body["nextPageToken"] = str(start + size)
        return web.json_response(body)

    server = await _serve(handler)
    async with aiohttp.ClientSession() as session:
        models = await page_token(2).fetch(Fetcher(session, 5), str(server.make_url("/models")), {}, _parse)
    await server.close()
    assert [m.id for m in models] == IDS
    assert seen == [
        {"pageSize": "2"},
        {"pageSize": "2", "pageToken": "2"},
        {"pageSize": "2", "pageToken": "4"},
    ]


async def test_after_id_stops_when_has_more_is_false() -> None:
    async def handler(request: web.Request) -> web.Response:
        after = request.query.get("after_id")
        start = IDS.index(after) + 1 if after else 0
        rows = IDS[start : start + 3]
        more = start + 3 < len(IDS)
        return web.json_response({"data": [{"id": i} for i in rows], "has_more": more, "last_id": rows[-1]})

    server = await _serve(handler)
    async with aiohttp.ClientSession() as session:
        models = await after_id(3).fetch(
            Fetcher(session, 5), str(server.make_url("/models")), {"x-api-key": "k"}, _parse
        )
    await server.close()
    assert [m.id for m in models] == IDS


async def test_a_list_that_never_ends_is_malformed() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.json_response({"data": [{"id": "same"}], "nextPageToken": "again"})

    server = await _serve(handler)
    async with aiohttp.ClientSession() as session:
        with pytest.raises(FetchError) as err:
            await page_token(1, max_pages=3).fetch(
                Fetcher(session, 5), str(server.make_url("/models")), {}, _parse
            )
    await server.close()
    assert err.value.kind == "malformed"
