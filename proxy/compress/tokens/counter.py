"""The token counter: offline tiktoken counts, memoized per text, scaled by the calibrated factor."""

from __future__ import annotations

import asyncio
import math
import threading
from collections.abc import Iterable
from typing import Any

import tiktoken

from proxy.compress.encodings import CL100K, O200K, Encodings, encoding_name_for
from proxy.compress.tokens.calibration import Calibration, family_factor
from proxy.compress.tokens.estimate import MIN_ITEMS, ItemSamples, SeenConversations
from proxy.compress.tokens.memo import BoundedMemo
from proxy.compress.tokens.text import PIECE, encoded_len, memo_key
from proxy.wire import Conversation, Message, get_adapter

_BATCH_MIN_CHARS = 1 << 20  # encode uncached texts with 2 threads above this many characters


class TokenCounter:
    """Counts request tokens. One instance per app; thread-safe; bounded memory."""

    def __init__(
        self,
        *,
        cache_size: int = 50_000,  # ≈5 MB when full (two generations: what is used stays)
        offload_chars: int = 256_000,
        encodings: Encodings | None = None,
    ) -> None:
        self._encodings = encodings or Encodings()
        self._memo = BoundedMemo(cache_size)
        self.conversations = SeenConversations()  # for the incremental estimate
        self.calibration = Calibration()
        self._lock = threading.Lock()
        self.offload_chars = offload_chars

    # -- model knowledge -----------------------------------------------------------------
    def encoding(self, model: str) -> tiktoken.Encoding:
        return self._encodings.get(encoding_name_for(model))

    async def aencoding(self, model: str) -> tiktoken.Encoding:
        """The model's encoding; the first load (0.1–0.5 s, 24–44 MB) runs off the event loop."""
        name = encoding_name_for(model)
        if not self._encodings.loaded(name):
            await asyncio.to_thread(self._encodings.get, name)
        return self._encodings.get(name)

    @staticmethod
    def family_factor(model: str) -> float:
        return family_factor(model)

    def factor(self, model: str) -> float:
        return self.calibration.factor(model)

    def calibrate(self, model: str, estimated: int, actual: int, factor: float | None = None) -> None:
        """Learn the per-model correction from the ``usage`` a provider reported for one request
        (see :meth:`Calibration.record`)."""
        self.calibration.record(model, estimated, actual, factor)

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
        if chars >= _BATCH_MIN_CHARS and len(values) > 1 and max(map(len, values)) <= PIECE:
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
        """One message's raw tokens: ``overhead`` plus its texts, an image at the API's flat price,
        and a chat message's ``name`` (a participant's or a legacy function's): its tokens and
        one more, as OpenAI counts it."""
        n = overhead
        for seg in msg.segments:
            n += get_adapter(api).image_tokens if seg.kind == "image" else self.count_text(seg.text, enc)
        if msg.lead:
            n += self.count_text(msg.lead, enc)
        raw = msg.raw
        if type(raw) is dict and len(raw) > 2 and (key := get_adapter(api).name_key) is not None:
            name = raw.get(key)  # (a plain message, role and content alone, has no name)
            if type(name) is str and name:
                n += self.count_text(name, enc) + 1
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

    async def estimate_request(
        self, api: str, body: dict[str, Any], model: str, scope: str = "", samples: ItemSamples | None = None
    ) -> int:
        """Like :meth:`acount_request`, but O(new items) for a conversation seen before.

        A resent history is recognised by :class:`SeenConversations` (``scope``, e.g. the agent
        id, separates look-alike conversations); only the items appended since are parsed and
        counted. This is the pre-flight estimate: a client that rewrites a history item nobody
        sampled keeps that item's old count until the next full count (the compactor itself
        always counts in full before it edits anything). ``samples``: the item list's sampled
        hashes, shared with the request's depth check.
        """
        adapter = get_adapter(api)
        items = body.get(adapter.container)
        if not isinstance(items, list):
            return await self.acount_request(api, body, model)
        enc = await self.aencoding(model)
        start, raw_before, key = 0, 0, None
        if len(items) >= MIN_ITEMS:  # shorter ones are counted item by item, not remembered
            key = self.conversations.key(api, enc.name, scope, items)
            start, raw_before = self.conversations.resume(key, items, samples)
        fixed, new_raw = await self._raw_parts(
            api, body, adapter.parse_items(items[start:] if start else items), enc
        )
        raw_items = raw_before + new_raw
        if key is not None:
            self.conversations.remember(key, items, raw_items, start, samples)
        return self.scale(fixed + raw_items, model)

    async def raw_tokens(self, api: str, body: dict[str, Any], model: str) -> int:
        """``body``'s estimate before the model's factor, counted in full the way
        :meth:`estimate_request` counts a conversation it has not seen (its item list one
        message per item; none when it is not a list)."""
        items = body.get(get_adapter(api).container)
        msgs = get_adapter(api).parse_items(items) if isinstance(items, list) else []
        fixed, raw_items = await self._raw_parts(api, body, msgs, await self.aencoding(model))
        return fixed + raw_items

    async def _raw_parts(
        self, api: str, body: dict[str, Any], msgs: list[Message], enc: tiktoken.Encoding
    ) -> tuple[int, int]:
        """(the body's fixed texts and the request's own 3, ``msgs``) in raw tokens; the texts
        primed off the loop first when there are many."""
        adapter = get_adapter(api)
        fixed_texts = adapter.fixed_texts(body)
        await self._prime_if_big(
            [*fixed_texts, *(s.text for m in msgs for s in m.segments if s.kind != "image")], enc
        )
        overhead = adapter.message_overhead
        fixed = 3 + sum(self.count_text(t, enc) for t in fixed_texts)
        return fixed, sum(self.message_raw(m, enc, api, overhead) for m in msgs)

    def count_request(self, api: str, body: dict[str, Any], model: str) -> int:
        """Estimated input tokens of a request body (memoized; synchronous)."""
        return self.count_conversation(get_adapter(api).parse(body), model)

    async def acount_request(self, api: str, body: dict[str, Any], model: str) -> int:
        """Like :meth:`count_request`, counting big uncached texts off the event loop."""
        conv = get_adapter(api).parse(body)
        await self.aprime(conv, model)
        return self.count_conversation(conv, model)

    # -- priming and warm-up (the expensive parts, off the event loop) ---------------------
    def texts_of(self, conv: Conversation) -> list[str]:
        adapter = get_adapter(conv.api)
        texts = list(adapter.fixed_texts(conv.body))
        texts.extend(s.text for m in conv.messages() for s in m.segments if s.kind != "image")
        return texts

    async def aprime(self, conv: Conversation, model: str) -> None:
        enc = await self.aencoding(model)
        await self._prime_if_big(self.texts_of(conv), enc)

    async def _prime_if_big(self, texts: list[str], enc: tiktoken.Encoding) -> None:
        """Count ``texts`` in a thread when at least ``offload_chars`` of them are uncached."""
        if (
            sum(map(len, texts)) >= self.offload_chars
            and self.uncached_chars(texts, enc) >= self.offload_chars
        ):
            await asyncio.to_thread(self.prime, texts, enc)

    async def warm(self, names: Iterable[str] = (O200K, CL100K)) -> None:
        """Load encodings off the event loop (0.1–0.5 s and 24–44 MB each, the first time)."""
        todo = [n for n in names if not self._encodings.loaded(n)]
        if todo:
            await asyncio.to_thread(lambda: [self._encodings.get(n) for n in todo])

    def loaded(self, name: str) -> bool:
        return self._encodings.loaded(name)
