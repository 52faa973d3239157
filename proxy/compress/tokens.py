"""Token counting: offline tiktoken, memoized per content, calibrated from provider usage.

OpenAI families are counted exactly (o200k / cl100k); other providers are approximated with
the closest encoding times a per-provider factor, then corrected by :meth:`calibrate` from
the ``usage`` the provider reports. Counts are memoized per text under a cheap key (length
plus three short samples), so a resent history costs a dict lookup per segment.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import tiktoken

from proxy.compress.encodings import Encodings, encoding_name_for
from proxy.wire import Conversation, Message, get_adapter

# Approximate tokenizer ratios against the chosen tiktoken encoding (before calibration).
_FAMILY_FACTORS: tuple[tuple[tuple[str, ...], float], ...] = (
    (("claude", "anthropic"), 1.20),
    (("gemini", "gemma"), 1.05),
    (("llama", "meta-llama", "qwen", "deepseek", "mistral", "mixtral", "grok", "glm", "kimi"), 1.10),
)
_OPENAI_PREFIXES = ("gpt-", "o1", "o3", "o4", "chatgpt", "text-embedding", "davinci", "codex")
_DEFAULT_FACTOR = 1.10
IMAGE_TOKENS = {"openai-chat": 765, "openai-responses": 765, "anthropic": 1600, "gemini": 258}
_SHORT = 256  # texts up to this length are memoized under the text itself
_BATCH_MIN_CHARS = 1 << 20  # encode uncached texts with 2 threads above this many characters


_PIECE = 16_384  # texts longer than this are encoded piece by piece


def encoded_len(enc: tiktoken.Encoding, text: str) -> int:
    """Token count of ``text``; long texts are split near whitespace into pieces first.

    BPE on one huge pre-token (a 10 MB run without spaces, base64, minified JSON) is
    super-linear; pieces bound it, at the cost of at most one extra token per cut.
    """
    if len(text) <= _PIECE:
        return len(enc.encode_ordinary(text))
    total, start, n = 0, 0, len(text)
    while start < n:
        end = min(n, start + _PIECE)
        if end < n:
            cut = text.rfind(" ", start + _PIECE // 2, end)
            end = cut if cut > start else end
        total += len(enc.encode_ordinary(text[start:end]))
        start = end
    return total


def memo_key(encoding: str, text: str) -> tuple[Any, ...]:
    """The text itself when short, else its length plus head, tail and two sampled characters.

    Hashing a long fresh string costs O(length) on every request; this key is O(1). Two
    different texts sharing it would get one count: an estimate error, never a wrong body.
    """
    n = len(text)
    if n <= _SHORT:
        return (encoding, text)
    return (encoding, n, text[:40], text[-40:], text[n // 3], text[n // 2], text[(2 * n) // 3])


_IMAGE_PARTS = frozenset({"image_url", "input_image", "image", "document", "input_file", "file"})
_IMAGE_KEYS = ("inlineData", "inline_data", "fileData", "file_data")


def count_images(items: Any) -> int:
    """Image / document parts in an item list (two levels deep: tool results hold images too)."""
    if not isinstance(items, list):
        return 0
    n = 0
    for item in items:
        if not isinstance(item, dict):
            continue
        parts = item.get("content")
        if not isinstance(parts, list):
            parts = item.get("parts") if "parts" in item else item.get("output")
        if not isinstance(parts, list):
            continue
        for part in parts:
            if isinstance(part, dict):
                ptype = part.get("type")  # any JSON type: only a string can name an image part
                if (isinstance(ptype, str) and ptype in _IMAGE_PARTS) or any(k in part for k in _IMAGE_KEYS):
                    n += 1
                elif isinstance(part.get("content"), list):
                    n += count_images([part])
    return n


class BoundedMemo(dict[tuple[Any, ...], int]):
    """A dict that forgets its oldest quarter when full (cheaper than an LRU per lookup)."""

    def __init__(self, maxsize: int) -> None:
        super().__init__()
        self.maxsize = maxsize

    def put(self, key: tuple[Any, ...], value: int) -> None:
        if len(self) >= self.maxsize:
            for old in list(itertools.islice(iter(self), max(1, self.maxsize // 4))):
                self.pop(old, None)
        self[key] = value


def item_sig(item: Any) -> tuple[Any, ...]:
    """A cheap O(1) signature of one wire item (role/type, content length and ends, ids)."""
    if not isinstance(item, dict):
        return (type(item).__name__,)
    content = item.get("content")
    if content is None:
        content = item.get("output", item.get("arguments"))
    if isinstance(content, str):
        body: tuple[Any, ...] = (len(content), content[:16], content[-16:])
    elif isinstance(content, list):
        body = (len(content), len(content[-1]) if content and isinstance(content[-1], dict) else 0)
    else:
        body = ()
    return (
        _scalar(item.get("role") or item.get("type")),
        body,
        _scalar(item.get("tool_call_id") or item.get("call_id")),
        len(item),
    )


def _scalar(value: Any) -> Any:
    """Signatures are dict keys: a list or object where a string belongs stands as its type name."""
    return value if value is None or isinstance(value, str | int | float) else type(value).__name__


def sample_positions(n: int) -> list[int]:
    return sorted({0, 1, 2, n - 3, n - 2, n - 1, *(n * k // 16 for k in range(1, 16))} - {-1, -2, -3})


@dataclass(frozen=True, slots=True)
class _Seen:
    """What the counter remembers of a conversation's last request: size, samples, tokens."""

    n: int
    samples: tuple[tuple[int, tuple[Any, ...]], ...]
    raw_items: int


class TokenCounter:
    """Counts request tokens. One instance per app; thread-safe; bounded memory."""

    def __init__(
        self,
        *,
        cache_size: int = 200_000,
        offload_chars: int = 256_000,
        encodings: Encodings | None = None,
    ) -> None:
        self._encodings = encodings or Encodings()
        self._memo = BoundedMemo(cache_size)
        self._conversations: dict[tuple[Any, ...], _Seen] = {}
        self.max_conversations = 4096
        self._corrections: dict[str, float] = {}  # per model; bounded by the models in use
        self._lock = threading.Lock()
        self.offload_chars = offload_chars

    # -- model knowledge -----------------------------------------------------------------
    def encoding(self, model: str) -> tiktoken.Encoding:
        return self._encodings.get(encoding_name_for(model))

    async def aencoding(self, model: str) -> tiktoken.Encoding:
        """The model's encoding; the first load (0.1–0.3 s, 30–75 MB) runs off the event loop."""
        name = encoding_name_for(model)
        if not self._encodings.loaded(name):
            await asyncio.to_thread(self._encodings.get, name)
        return self._encodings.get(name)

    @staticmethod
    def family_factor(model: str) -> float:
        name = model.lower()
        base = name.rsplit("/", 1)[-1]
        if base.startswith(_OPENAI_PREFIXES) or name.startswith("openai/"):
            return 1.0
        for needles, factor in _FAMILY_FACTORS:
            if any(n in name for n in needles):
                return factor
        return _DEFAULT_FACTOR

    def factor(self, model: str) -> float:
        return self.family_factor(model) * self._corrections.get(model, 1.0)

    def calibrate(self, model: str, estimated: int, actual: int) -> None:
        """Learn a per-model correction from provider-reported ``usage`` (moving average)."""
        if estimated <= 0 or actual <= 0:
            return
        with self._lock:
            old = self._corrections.get(model, 1.0)
            ratio = min(2.0, max(0.5, old * actual / estimated))
            self._corrections[model] = 0.7 * old + 0.3 * ratio

    # -- raw counts (no factor) ------------------------------------------------------------
    def count_text(self, text: str, enc: tiktoken.Encoding) -> int:
        if not text:
            return 0
        key = memo_key(enc.name, text)
        hit = self._memo.get(key)
        if hit is not None:
            return hit
        n = encoded_len(enc, text)
        with self._lock:
            self._memo.put(key, n)
        return n

    def prime(self, texts: Iterable[str], enc: tiktoken.Encoding) -> int:
        """Count every uncached text now (two threads for big batches); returns chars counted."""
        todo: dict[tuple[Any, ...], str] = {}
        for t in texts:
            if t:
                key = memo_key(enc.name, t)
                if key not in self._memo and key not in todo:
                    todo[key] = t
        chars = sum(map(len, todo.values()))
        if not todo:
            return 0
        values = list(todo.values())
        if chars >= _BATCH_MIN_CHARS and len(values) > 1 and max(map(len, values)) <= _PIECE:
            counts = [len(x) for x in enc.encode_ordinary_batch(values, num_threads=2)]
        else:
            counts = [encoded_len(enc, v) for v in values]
        with self._lock:
            for key, n in zip(todo, counts, strict=True):
                self._memo.put(key, n)
        return chars

    def uncached_chars(self, texts: Iterable[str], enc: tiktoken.Encoding) -> int:
        return sum(len(t) for t in texts if t and memo_key(enc.name, t) not in self._memo)

    def message_raw(self, msg: Message, enc: tiktoken.Encoding, api: str, overhead: int) -> int:
        n = overhead
        for seg in msg.segments:
            n += IMAGE_TOKENS.get(api, 765) if seg.kind == "image" else self.count_text(seg.text, enc)
        return n

    # -- estimates (factor applied) ----------------------------------------------------------
    def scale(self, raw: int, model: str) -> int:
        return math.ceil(raw * self.factor(model))

    def conversation_raw(self, conv: Conversation, model: str) -> int:
        adapter = get_adapter(conv.api)
        enc = self.encoding(model)
        overhead = adapter.message_overhead
        n = 3 + sum(self.count_text(t, enc) for t in adapter.fixed_texts(conv.body))
        for m in conv.messages():
            n += self.message_raw(m, enc, conv.api, overhead)
        if conv.summary:
            n += adapter.summary_overhead + self.count_text(conv.summary, enc)
        return n

    def count_conversation(self, conv: Conversation, model: str) -> int:
        return self.scale(self.conversation_raw(conv, model), model)

    async def estimate_request(self, api: str, body: dict[str, Any], model: str, scope: str = "") -> int:
        """Like :meth:`acount_request`, but O(new items) for a conversation seen before.

        A resent history is recognised by its first items plus ~20 sampled item signatures
        (``scope``, e.g. the agent id, separates look-alike conversations); only the items
        appended since are parsed and counted. This is the pre-flight estimate: a client that
        rewrites a history item nobody sampled keeps that item's old count until the next
        full count (the compactor itself always counts in full before it edits anything).
        """
        adapter = get_adapter(api)
        items = body.get(adapter.container)
        if not isinstance(items, list) or len(items) < 8:
            return await self.acount_request(api, body, model)
        enc = await self.aencoding(model)
        key = (api, enc.name, scope, item_sig(items[0]), item_sig(items[1]))
        seen = self._conversations.get(key)
        n = len(items)
        start = 0
        if seen is not None and n >= seen.n and all(item_sig(items[p]) == s for p, s in seen.samples):
            start = seen.n
        msgs = adapter.parse_items(items[start:])
        fixed_texts = adapter.fixed_texts(body)
        texts = [*fixed_texts, *(s.text for m in msgs for s in m.segments if s.kind != "image")]
        if (
            sum(map(len, texts)) >= self.offload_chars
            and self.uncached_chars(texts, enc) >= self.offload_chars
        ):
            await asyncio.to_thread(self.prime, texts, enc)
        overhead = adapter.message_overhead
        raw_items = (seen.raw_items if seen is not None and start else 0) + sum(
            self.message_raw(m, enc, api, overhead) for m in msgs
        )
        if len(self._conversations) >= self.max_conversations:
            self._conversations.clear()
        samples = tuple((p, item_sig(items[p])) for p in sample_positions(n))
        self._conversations[key] = _Seen(n, samples, raw_items)
        fixed = 3 + sum(self.count_text(t, enc) for t in fixed_texts)
        return self.scale(fixed + raw_items, model)

    def count_request(self, api: str, body: dict[str, Any], model: str) -> int:
        """Estimated input tokens of a request body (memoized; synchronous)."""
        return self.count_conversation(get_adapter(api).parse(body), model)

    async def acount_request(self, api: str, body: dict[str, Any], model: str) -> int:
        """Like :meth:`count_request`, counting big uncached texts off the event loop."""
        conv = get_adapter(api).parse(body)
        await self.aprime(conv, model)
        return self.count_conversation(conv, model)

    def texts_of(self, conv: Conversation) -> list[str]:
        adapter = get_adapter(conv.api)
        texts = list(adapter.fixed_texts(conv.body))
        texts.extend(s.text for m in conv.messages() for s in m.segments if s.kind != "image")
        return texts

    async def aprime(self, conv: Conversation, model: str) -> None:
        enc = await self.aencoding(model)
        texts = self.texts_of(conv)
        if (
            sum(map(len, texts)) >= self.offload_chars
            and self.uncached_chars(texts, enc) >= self.offload_chars
        ):
            await asyncio.to_thread(self.prime, texts, enc)

    async def warm(self) -> None:
        """Load both encodings off the event loop (≈0.5 s the first time); call at startup."""
        from proxy.compress.encodings import CL100K, O200K

        await asyncio.to_thread(lambda: [self._encodings.get(n) for n in (O200K, CL100K)])
