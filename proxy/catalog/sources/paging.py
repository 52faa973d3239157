"""The paging loop of provider list endpoints that return their models a page at a time.

A :class:`Pager` says how to ask for the first page and how to find the next one in a
page's body; :meth:`Pager.fetch` requests pages until the body says there are no more,
parsing each as it comes, and fails (``malformed``) past ``max_pages`` rather than loop.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from proxy.catalog.fetch import Fetcher, FetchError
from proxy.catalog.model import SourceModel

NextPage = Callable[[Any], dict[str, str] | None]  # a page's body → the next page's query, None: last


@dataclass(frozen=True)
class Pager:
    first: Mapping[str, str]  # the first page's query
    follow: NextPage
    max_pages: int = 50

    async def fetch(
        self,
        http: Fetcher,
        url: str,
        headers: Mapping[str, str],
        parse: Callable[[Any], list[SourceModel]],
    ) -> list[SourceModel]:
        out: list[SourceModel] = []
        params: dict[str, str] | None = dict(self.first)
        for _ in range(self.max_pages):
            body = await http.json(url, headers=headers, params=params)
            out.extend(parse(body))
            params = self.follow(body)
            if params is None:
                return out
        raise FetchError("malformed", "too many pages")


def page_token(size: int, max_pages: int = 50) -> Pager:
    """Google-style: ``pageSize`` and ``pageToken``, the next token in ``nextPageToken``
    (Gemini, Fireworks)."""

    def follow(body: Any) -> dict[str, str] | None:
        token = body.get("nextPageToken")
        if not token or not isinstance(token, str):
            return None
        return {"pageSize": str(size), "pageToken": token}

    return Pager({"pageSize": str(size)}, follow, max_pages)


def after_id(limit: int, max_pages: int = 50) -> Pager:
    """Anthropic-style: ``limit`` and ``after_id`` = the page's ``last_id`` while ``has_more``."""

    def follow(body: Any) -> dict[str, str] | None:
        last_id = body.get("last_id")
        if not body.get("has_more") or not isinstance(last_id, str):
            return None
        return {"limit": str(limit), "after_id": last_id}

    return Pager({"limit": str(limit)}, follow, max_pages)
