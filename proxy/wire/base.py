"""What every wire adapter provides, plus the rendering shared by all of them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from functools import cached_property
from typing import Any, Protocol

from proxy.wire.conversation import Conversation, Message
from proxy.wire.families import FamilyName
from proxy.wire.grouping import turn_groups
from proxy.wire.usage import Usage


class ChatAPI(Protocol):
    """Everything the proxy knows about one chat API: which paths speak it, where the model
    is named, how a body parses into a :class:`Conversation` and renders back, the provider's
    rules (invariants), how a response reports usage, and what identifies the conversation."""

    api: str
    container: str
    message_overhead: int  # tokens the provider adds around every item
    summary_overhead: int  # tokens the anchored summary adds besides its text
    image_tokens: int  # what the provider charges for one image (the estimate's flat price)
    name_key: str | None  # an item's key naming its writer, counted beside the text (chat's ``name``)
    explicit_cache: bool  # the provider caches only up to ``cache_control`` breakpoints
    path_suffixes: tuple[str, ...]  # request-path endings that speak this API
    family: FamilyName  # the provider family: auth header and error dialect

    def matches_path(self, tail: str) -> bool:
        """Whether a request path (no query, no trailing slash) speaks this API."""
        ...

    def model_id(self, body: Mapping[str, Any], tail: str) -> str:
        """The model a request names (in the body, or in the path for some APIs); "" if none."""
        ...

    def max_tokens_key(self, body: dict[str, Any]) -> str | None:
        """The top-level key holding the requested output size (lowered on a retry), if any."""
        ...

    def read_usage(self, event: dict[str, Any], into: Usage) -> None:
        """Merge what one JSON object (a whole response or one SSE event) says about usage."""
        ...

    def prompt_anchor(self, body: Mapping[str, Any]) -> tuple[Any, Any]:
        """(system prompt, first user message): what identifies an anonymous conversation."""
        ...

    def violations(self, body: dict[str, Any]) -> set[str]:
        """The provider rules this body breaks, as stable codes (``missing-result:call_1``)."""
        ...

    def history_held_upstream(self, body: Mapping[str, Any]) -> bool:
        """Whether the provider holds the earlier turns (a chained request): the body
        carries only the new ones, so there is nothing here to compact."""
        ...

    def body_likeness(self, body: Mapping[str, Any]) -> int:
        """How surely a body seen without its path (``ctxproxy compress FILE``) speaks this
        API: 0 not at all; the highest wins, a tie goes to the API registered first."""
        ...

    def check(self, body: dict[str, Any]) -> str | None:
        """The first field whose JSON type this adapter cannot handle (a 400), or None."""
        ...

    def parse(self, body: dict[str, Any]) -> Conversation: ...

    def parse_items(self, items: list[Any]) -> list[Message]:
        """One :class:`Message` per wire item, ``index`` = position in ``items``."""
        ...

    def build(self, body: dict[str, Any], messages: list[Message]) -> Conversation:
        """Split parsed messages into head and atomic groups."""
        ...

    def render(self, conv: Conversation) -> dict[str, Any]: ...

    def render_items(self, conv: Conversation) -> list[Any]: ...

    def fixed_texts(self, body: dict[str, Any]) -> list[str]:
        """Texts outside the item list that the provider counts (system, tools, ...)."""
        ...

    def reserved_output(self, body: dict[str, Any]) -> int | None: ...

    def summary_item(self, text: str) -> dict[str, Any]: ...


WireAdapter = ChatAPI  # the older name, still used by the compressor's stages


class ItemListAdapter(ABC):
    """Parsing shared by the adapters: the body's item list becomes messages, then groups."""

    api: str
    container: str
    path_suffixes: tuple[str, ...]

    @cached_property
    def _path_endings(self) -> tuple[str, ...]:
        return tuple(s if s.startswith(":") else "/" + s for s in self.path_suffixes)

    def matches_path(self, tail: str) -> bool:
        # ``.../chat/completions`` or exactly ``chat/completions``; ``:generateContent`` anywhere at the end
        return tail.endswith(self._path_endings) or tail in self.path_suffixes

    def model_id(self, body: Mapping[str, Any], tail: str) -> str:
        model = body.get("model")
        return model if isinstance(model, str) else ""

    def history_held_upstream(self, body: Mapping[str, Any]) -> bool:
        return False

    def body_likeness(self, body: Mapping[str, Any]) -> int:
        return 0  # never guessed from a body alone unless the adapter says otherwise

    @abstractmethod
    def parse_items(self, items: list[Any]) -> list[Message]: ...

    @abstractmethod
    def build(self, body: dict[str, Any], messages: list[Message]) -> Conversation: ...

    def parse(self, body: dict[str, Any]) -> Conversation:
        items = body.get(self.container)
        return self.build(body, self.parse_items(items if isinstance(items, list) else []))


class PerItemAdapter(ItemListAdapter):
    """Items that parse one by one; ``names`` maps call ids to tool names along the way,
    so a tool result knows its tool."""

    @abstractmethod
    def parse_message(self, raw: Any, index: int, names: dict[str, str]) -> Message: ...

    def parse_items(self, items: list[Any]) -> list[Message]:
        names: dict[str, str] = {}
        return [self.parse_message(raw, i, names) for i, raw in enumerate(items)]


class TurnsAdapter(ItemListAdapter):
    """APIs whose user and model turns must alternate (Anthropic, Gemini): groups start at
    model turns, and the anchored summary joins the first user turn."""

    @abstractmethod
    def with_summary(self, raw: dict[str, Any], summary: str) -> dict[str, Any]: ...

    @abstractmethod
    def summary_item(self, text: str) -> dict[str, Any]: ...

    def build(self, body: dict[str, Any], messages: list[Message]) -> Conversation:
        return Conversation(self.api, body, self.container, (), turn_groups(messages))

    def render_items(self, conv: Conversation) -> list[Any]:
        return render_items_merged(conv, self.with_summary, self.summary_item)


def anchor_position(conv: Conversation) -> int:
    """Groups before this index form the stable prefix the summary is anchored after."""
    if conv.groups and conv.groups[0].has_user_turn:
        return 1
    return 0


def render_items_default(adapter: WireAdapter, conv: Conversation) -> list[Any]:
    items: list[Any] = [m.raw for m in conv.head]
    anchor = anchor_position(conv)
    for i, group in enumerate(conv.groups):
        if i == anchor and conv.summary is not None:
            items.append(adapter.summary_item(conv.summary))
        items.extend(m.raw for m in group.messages)
    if conv.summary is not None and anchor >= len(conv.groups):
        items.append(adapter.summary_item(conv.summary))
    return items


def render_items_merged(conv: Conversation, with_summary: Any, summary_item: Any) -> list[Any]:
    """For alternating-role APIs: the summary joins the anchor's last message (``with_summary``)
    instead of standing alone, or opens the conversation when there is no anchor."""
    items: list[Any] = []
    anchor = anchor_position(conv)
    for i, group in enumerate(conv.groups):
        raws = [m.raw for m in group.messages]
        if i == anchor - 1 and conv.summary is not None:
            raws[-1] = with_summary(raws[-1], conv.summary)
        items.extend(raws)
    if conv.summary is not None and anchor == 0:
        items.insert(0, summary_item(conv.summary))
    return items


def render_body(conv: Conversation, items: Any) -> dict[str, Any]:
    body = dict(conv.body)
    body[conv.container] = items
    return body


def first_int(body: dict[str, Any], *keys: str) -> int | None:
    for key in keys:
        value = body.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None
