"""(e) Fold the oldest compressible groups into one anchored summary after the stable prefix."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import orjson
import structlog

from proxy.compress.stages.base import StageContext
from proxy.compress.summarizer import DroppedMessage, SummaryRequest
from proxy.wire import Group

log = structlog.get_logger("ctxproxy.compress")


def describe_call(text: str) -> str:
    """``name(arguments)`` from a tool call segment (chat/Responses JSON), else its start."""
    try:
        call = orjson.loads(text)
    except orjson.JSONDecodeError:
        return text[:160]
    if isinstance(call, dict) and "name" in call:
        args = call.get("arguments", call.get("input", ""))
        args = args if isinstance(args, str) else orjson.dumps(args).decode()
        return f"{call['name']}({args[:120]})"
    return text[:160]


def dropped_messages(groups: list[Group]) -> tuple[DroppedMessage, ...]:
    out: list[DroppedMessage] = []
    for g in groups:
        for m in g.messages:
            if m.opaque:
                continue
            parts = [s.text for s in m.segments if s.kind in ("text", "tool_output")]
            calls = [describe_call(s.text) for s in m.segments if s.kind == "tool_call"]
            if calls:
                parts.append("Called " + "; ".join(calls) + ".")
            text = "\n".join(p for p in parts if p)
            if text:
                out.append(DroppedMessage(m.role, text, m.tool_name))
    return tuple(out)


def request_key(previous: str | None, dropped: tuple[DroppedMessage, ...], max_tokens: int) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update((previous or "").encode())
    for d in dropped:
        h.update(
            b"\x00" + d.role.encode() + b"\x00" + (d.tool_name or "").encode() + b"\x00" + d.text.encode()
        )
    h.update(str(max_tokens).encode())
    return h.hexdigest()


@dataclass(frozen=True)
class SummarizeStage:
    name: str = "summarize"
    fraction: float = 0.10  # the summary may use this share of the target
    min_tokens: int = 160
    max_tokens: int = 6000

    def budget(self, ctx: StageContext) -> int:
        return max(self.min_tokens, min(self.max_tokens, int(ctx.target_raw * self.fraction)))

    async def apply(self, ctx: StageContext) -> None:
        cap = self.budget(ctx)
        candidates = [i for i, s in enumerate(ctx.slots) if not s.protected]
        if not candidates:
            return
        excess = ctx.total() - ctx.summary_raw() + cap - ctx.target_raw
        chosen: list[int] = []
        freed = 0
        for i in candidates:
            if freed >= excess:
                break
            chosen.append(i)
            freed += ctx.slots[i].tokens
        dropped = dropped_messages([ctx.slots[i].group for i in chosen])
        request = SummaryRequest(
            previous=ctx.summary,
            dropped=dropped,
            max_tokens=cap,
            model=ctx.model,
            agent=ctx.agent,
            key=request_key(ctx.summary, dropped, cap),
        )
        try:
            summary = await ctx.summarizer.summarize(request)
        except Exception as exc:  # the cheaper stages after this one still apply
            log.warning(
                "compaction.summarizer_failed", summarizer=ctx.summarizer.name, error=type(exc).__name__
            )
            ctx.notes.append(f"summarizer-failed:{type(exc).__name__}")
            return
        ctx.remove(set(chosen))
        ctx.summary = summary
