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
import statistics
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import tiktoken

from proxy.compress.encodings import CL100K, O200K, Encodings, encoding_name_for
from proxy.wire import CHAT_APIS, Conversation, Message, get_adapter

# Approximate tokenizer ratios against the chosen tiktoken encoding (before calibration).
_FAMILY_FACTORS: tuple[tuple[tuple[str, ...], float], ...] = (
    (("claude", "anthropic"), 1.20),
    (("gemini", "gemma"), 1.05),
    (("llama", "meta-llama", "qwen", "deepseek", "mistral", "mixtral", "grok", "glm", "kimi"), 1.10),
)
_OPENAI_PREFIXES = ("gpt-", "o1", "o3", "o4", "chatgpt", "text-embedding", "davinci", "codex")
_DEFAULT_FACTOR = 1.10
IMAGE_TOKENS = {name: chat_api.image_tokens for name, chat_api in CHAT_APIS.items()}  # per API
_SHORT = 256  # texts up to this length are memoized under the text itself
_BATCH_MIN_CHARS = 1 << 20  # encode uncached texts with 2 threads above this many characters
CALIBRATION_SAMPLES = 31  # recent usage samples per model; the correction is their median
CALIBRATION_PRIOR = 5  # fewer samples than this: padded with 1.0 (no correction)
CORRECTION_BOUNDS = (0.5, 2.0)  # the per-model correction never leaves this range
SAMPLE_BOUNDS = (0.25, 4.0)  # a usage this far from the estimate is not a tokenizer difference


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


def memo_key(encoding: str, text: str) -> int:
    """A 64-bit hash of the encoding, the length and the text when short, else its head,
    tail and three sampled characters.

    Hashing a long fresh string costs O(length) on every request; this key is O(1), and it
    holds no text (≈100 bytes an entry with the dict slot, whatever the text's size). Two texts
    sharing a key would get one count: an estimate error, never a wrong body.
    """
    n = len(text)
    if n <= _SHORT:
        return hash((encoding, n, text))
    return hash((encoding, n, text[:40], text[-40:], text[n // 3], text[n // 2], text[(2 * n) // 3]))


_IMAGE_PARTS = frozenset({"image_url", "input_image", "image", "document", "input_file", "file"})
_IMAGE_KEYS = frozenset({"inlineData", "inline_data", "fileData", "file_data"})


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
                if (isinstance(ptype, str) and ptype in _IMAGE_PARTS) or not _IMAGE_KEYS.isdisjoint(part):
                    n += 1
                elif isinstance(part.get("content"), list):
                    n += count_images([part])
    return n


class BoundedMemo(dict[int, int]):
    """A dict that forgets its oldest quarter when full (cheaper than an LRU per lookup)."""

    def __init__(self, maxsize: int) -> None:
        super().__init__()
        self.maxsize = maxsize

    def put(self, key: int, value: int) -> None:
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


def _samples_hash(items: list[Any], n: int) -> int | None:
    """One hash of the signatures of the first ``n`` items at ``sample_positions(n)``; None when
    a sampled item carries unhashable ids (malformed input: it is then never reused)."""
    try:
        return hash(tuple(item_sig(items[p]) for p in sample_positions(n)))
    except TypeError:
        return None


@dataclass(frozen=True, slots=True)
class _Seen:
    """What the counter remembers of a conversation's last request: size, samples, tokens."""

    n: int
    samples: int | None  # hash of the item signatures at ``sample_positions(n)``
    raw_items: int


class TokenCounter:
    """Counts request tokens. One instance per app; thread-safe; bounded memory."""

    def __init__(
        self,
        *,
        cache_size: int = 100_000,  # ≈10 MB when full
        offload_chars: int = 256_000,
        encodings: Encodings | None = None,
    ) -> None:
        self._encodings = encodings or Encodings()
        self._memo = BoundedMemo(cache_size)
        self._conversations: dict[tuple[Any, ...], _Seen] = {}
        self.max_conversations = 4096
        self._corrections: dict[str, float] = {}  # per model (at most max_models)
        self._samples: dict[str, deque[float]] = {}  # per model: recent calibration samples
        self.max_models = 1024
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

    def calibrate(self, model: str, estimated: int, actual: int, factor: float | None = None) -> None:
        """Learn the per-model correction from the ``usage`` a provider reported for one request.

        ``estimated`` is this counter's estimate of *that same request* and ``factor`` the
        factor it was scaled with (:meth:`factor` at the time; carried on the request's own
        state, because concurrent requests of the model move the correction in between). The
        sample is the correction that would have made that estimate exact; the correction is
        the median of the model's recent samples (padded with 1.0 until there are a few), so
        one odd usage moves nothing, and it stays within ``CORRECTION_BOUNDS``.
        """
        if estimated <= 0 or actual <= 0:
            return
        used = self.factor(model) if factor is None else factor
        sample = actual / estimated * used / self.family_factor(model)
        if not SAMPLE_BOUNDS[0] <= sample <= SAMPLE_BOUNDS[1]:
            return  # not a tokenizer difference (a truncated body, a cache-only count …)
        with self._lock:
            window = self._samples.get(model)
            if window is None:
                if len(self._samples) >= self.max_models:  # model names come from clients
                    oldest = next(iter(self._samples))
                    del self._samples[oldest]
                    self._corrections.pop(oldest, None)
                window = self._samples[model] = deque(maxlen=CALIBRATION_SAMPLES)
            window.append(sample)
            values = [*window, *([1.0] * (CALIBRATION_PRIOR - len(window)))]
            lo, hi = CORRECTION_BOUNDS
            self._corrections[model] = min(hi, max(lo, statistics.median(values)))

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
        todo: dict[int, str] = {}
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
        if not isinstance(items, list):
            return await self.acount_request(api, body, model)
        enc = await self.aencoding(model)
        n = len(items)
        start, seen, key = 0, None, None
        if n >= 8:  # shorter ones are counted item by item, not remembered (nothing to gain)
            key = (api, enc.name, scope, hash((item_sig(items[0]), item_sig(items[1]))))
            seen = self._conversations.get(key)
            if (
                seen is not None
                and seen.samples is not None
                and n >= seen.n
                and _samples_hash(items, seen.n) == seen.samples
            ):
                start = seen.n
        msgs = adapter.parse_items(items[start:] if start else items)
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
        if key is not None:
            if len(self._conversations) >= self.max_conversations:
                self._conversations.clear()
            # a resend (nothing new) has the samples just compared: no second hash
            samples = seen.samples if seen is not None and start == n else _samples_hash(items, n)
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

    async def warm(self, names: Iterable[str] = (O200K, CL100K)) -> None:
        """Load encodings off the event loop (0.2–0.4 s and 30–75 MB each, the first time)."""
        todo = [n for n in names if not self._encodings.loaded(n)]
        if todo:
            await asyncio.to_thread(lambda: [self._encodings.get(n) for n in todo])

    def loaded(self, name: str) -> bool:
        return self._encodings.loaded(name)
