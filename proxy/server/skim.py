"""A chat body's few fields the fast path decides on, read without building the body.

The fast path needs the model, the request's output limit, whether a Responses chain holds the
history, and how many image and file parts the item list carries. :func:`skim` reads exactly
those with msgspec, whose decoder walks the whole body (so a body that is not JSON, or not an
object, is never skimmed) but builds Python objects only for the fields named below: the texts
of the messages are passed over, not copied.

The result is the parsed body's, not a guess. The top-level fields are read as orjson reads them
(a repeated key: the last one wins), then handed to the wire adapter's own readers
(``model_id``, ``reserved_output``, ``history_held_upstream``) as a small dict, and the parts are
counted the way :func:`~proxy.compress.tokens.count_images` counts them in a parsed body. A body
whose items or parts have a type those readers do not expect (an item that is not an object,
``content`` that is a number, …) is not skimmed: None sends it down the parsing path, which
decides as before. On an ASCII body of 400 KB this costs about 60 % of ``orjson.loads`` plus the
walk over the parsed items it replaces.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec
from msgspec import UNSET, Raw, Struct, UnsetType

from proxy.compress.tokens.images import _IMAGE_KEYS, _IMAGE_PARTS
from proxy.wire import get_adapter

_ABSENT = Raw()  # an image key's value, when the part has no such key (a present one is ≥ 1 byte)


class _Part(Struct, gc=False):
    """A content part (or an item, read as one): what :func:`count_images` looks at."""

    type: object = None
    content: str | list[_Part] | None = None
    inlineData: Raw = _ABSENT
    inline_data: Raw = _ABSENT
    fileData: Raw = _ABSENT
    file_data: Raw = _ABSENT


class _Item(_Part):
    """An item of the body's list: its parts are in ``content``, else ``parts`` (if the key is
    there, whatever its value), else ``output``."""

    parts: list[_Part] | UnsetType | None = UNSET
    output: str | list[_Part] | None = None


# The top level: every field UNSET unless the body has it (a JSON null is a value: Gemini's
# reader prefers ``generationConfig`` whenever the key is there).
_Items = list[_Item] | UnsetType | None


class _OpenAIChat(Struct, gc=False):
    model: object = UNSET
    max_completion_tokens: object = UNSET
    max_tokens: object = UNSET
    messages: _Items = UNSET


class _Responses(Struct, gc=False):
    model: object = UNSET
    max_output_tokens: object = UNSET
    previous_response_id: object = UNSET
    input: str | list[_Item] | UnsetType | None = UNSET


class _Anthropic(Struct, gc=False):
    model: object = UNSET
    max_tokens: object = UNSET
    messages: _Items = UNSET


class _Gemini(Struct, gc=False):
    model: object = UNSET
    generationConfig: object = UNSET
    generation_config: object = UNSET
    contents: _Items = UNSET


_DECODERS: dict[str, msgspec.json.Decoder[Any]] = {
    "openai-chat": msgspec.json.Decoder(_OpenAIChat),
    "openai-responses": msgspec.json.Decoder(_Responses),
    "anthropic": msgspec.json.Decoder(_Anthropic),
    "gemini": msgspec.json.Decoder(_Gemini),
}


@dataclass(frozen=True, slots=True)
class Skim:
    model: str  # as the adapter reads it ("" when none)
    asked_output: int | None  # the request's own output limit (``reserved_output``)
    held_upstream: bool  # a Responses chain: the provider holds the history
    images: int  # image and file parts in the item list, as count_images counts them


Fields = dict[str, object]  # a body's top-level fields that :class:`Skim` is read from (no items)


def skim(api: str, raw: bytes, tail: str) -> Skim | None:
    """The fields the fast path decides on, or None: not a JSON object, an item or part of a
    type the parsing path must judge, or an API without a skim. Never raises."""
    try:
        got = read(api, raw)
    except msgspec.ValidationError:
        return None
    return None if got is None else reading(api, got[0], got[1], tail)


def read(api: str, raw: bytes) -> tuple[Fields, int, int] | None:
    """(top-level fields, image/file parts in the item list, items in it) of ``raw``; None: not
    JSON, not an object, or an API without a skim. Raises :class:`msgspec.ValidationError` when
    a field the skim reads has a type the parsing path must judge."""
    decoder = _DECODERS.get(api)
    if decoder is None:
        return None
    try:
        top = decoder.decode(raw)
    except msgspec.ValidationError:
        raise
    except (msgspec.DecodeError, RecursionError):  # (ValidationError is a DecodeError)
        return None
    fields = {k: v for k in top.__struct_fields__ if (v := getattr(top, k)) is not UNSET}
    items = fields.pop(get_adapter(api).container, None)
    if not isinstance(items, list):
        return fields, 0, 0
    return fields, count_parts(items), len(items)


def reading(api: str, fields: Fields, images: int, tail: str) -> Skim:
    """What the wire adapter's own readers make of ``fields``."""
    adapter = get_adapter(api)
    return Skim(
        adapter.model_id(fields, tail),
        adapter.reserved_output(fields),
        adapter.history_held_upstream(fields),
        images,
    )


def count_parts(items: list[_Item] | list[_Part]) -> int:
    """:func:`~proxy.compress.tokens.count_images` over skimmed items."""
    n = 0
    for item in items:
        parts = item.content
        if not isinstance(parts, list) and isinstance(item, _Item):
            parts = item.parts if item.parts is not UNSET else item.output
        if not isinstance(parts, list):
            continue
        for part in parts:
            ptype = part.type
            if (isinstance(ptype, str) and ptype in _IMAGE_PARTS) or _has_image_key(part):
                n += 1
            elif isinstance(part.content, list):
                n += count_parts([part])
    return n


def _has_image_key(part: _Part) -> bool:
    return bool(part.inlineData or part.inline_data or part.fileData or part.file_data)


assert {"inlineData", "inline_data", "fileData", "file_data"} == _IMAGE_KEYS, "keep _Part in step"


LARGE = 32 * 1024  # smaller bodies skim in a few microseconds: no hint, no prefix needed


class ModelHints:
    """A body's first :attr:`HEAD` bytes → the model the last body starting with them named:
    whether to try :func:`skim` at all (a body that size could not be certainly under that
    model's trigger is parsed straight away). Only a hint: the skim proves what it reads.
    Bodies under :data:`LARGE` are neither hinted nor remembered."""

    HEAD = 64

    def __init__(self, max_size: int = 4096) -> None:
        self.max_size = max_size
        self._models: dict[bytes, str] = {}

    def get(self, raw: bytes) -> str | None:
        return self._models.get(raw[: self.HEAD]) if len(raw) >= LARGE else None

    def put(self, raw: bytes, model: str) -> None:
        if len(raw) < LARGE:
            return
        head = raw[: self.HEAD]
        if self._models.get(head) != model:
            if len(self._models) >= self.max_size:
                self._models.clear()
            self._models[head] = model
