"""Real coding-agent sessions as request sequences, and how a request is billed.

A session file holds the last chat request of an OpenHands run; the agent's earlier requests
are that request's ``messages`` cut before each assistant turn. Tokens are characters / 4 of
the serialized messages and tools (the same rule for every strategy).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from proxy.compress.cost import CachePricing

ROOT = Path(__file__).resolve().parents[3]
Msg = dict[str, Any]


def openhands_dir() -> Path | None:
    """``shared/dev-data/openhands-dev`` beside the checkout (a worktree is one level deeper),
    or under the folder ``CTXPROXY_DEV_DATA`` names (then only there)."""
    env = os.environ.get("CTXPROXY_DEV_DATA")
    bases = (
        [Path(env)]
        if env
        else [ROOT.parent / "shared" / "dev-data", ROOT.parent.parent / "shared" / "dev-data"]
    )
    for base in bases:
        if (base / "openhands-dev").is_dir():
            return base / "openhands-dev"
    return None


def bundled_dir() -> Path | None:
    """The three sessions copied into the repository (``tests/data/openhands``)."""
    path = ROOT / "tests" / "data" / "openhands"
    return path if path.is_dir() else None


@dataclass
class Session:
    name: str
    messages: list[Msg]
    tools: list[Any]

    def cuts(self) -> list[int]:
        """Request k sends ``messages[:cuts[k]]``: before each assistant turn, then the whole."""
        out = [i for i, m in enumerate(self.messages) if m.get("role") == "assistant" and i > 0]
        return [*out, len(self.messages)]


def load_sessions(folder: Path, limit: int | None = None) -> list[Session]:
    out = []
    for path in sorted(folder.glob("*.json")):
        if path.name == "index.json":
            continue
        data = orjson.loads(path.read_bytes())
        out.append(Session(path.stem, data["messages"], data.get("tools") or []))
    return out[:limit] if limit else out


def blocks(messages: Sequence[Msg], tools: Sequence[Any]) -> list[bytes]:
    """The prompt as cache blocks: the tools, then one block per message."""
    return [orjson.dumps(list(tools)), *(orjson.dumps(m) for m in messages)]


def tokens(chars: int) -> int:
    return chars // 4


def shared_chars(a: list[bytes], b: list[bytes]) -> tuple[int, int]:
    """(characters of whole blocks ``a`` shares with ``b``, characters of the exact common prefix)."""
    whole = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            n = 0
            limit = min(len(x), len(y))
            while n < limit and x[n] == y[n]:
                n += 1
            return whole, whole + n
        whole += len(x)
    return whole, whole


@dataclass
class Meter:
    """Bills one strategy's requests, conversation by conversation."""

    anthropic: CachePricing
    openai: CachePricing
    usd_anthropic: float = 0.0
    usd_openai: float = 0.0
    tokens: int = 0
    prefix_tokens: int = 0  # exact common prefix with the previous request
    # cacheable prefix share: of the previous request's tokens, those the request repeats as
    # its prefix (from the session's first compaction on)
    share_tokens: int = 0
    shares: list[float] = field(default_factory=list)  # per request: prefix ÷ previous
    share_prefix: int = 0
    requests: int = 0
    _prev: list[bytes] | None = None

    def new_session(self) -> None:
        self._prev = None

    def bill(self, messages: Sequence[Msg], tools: Sequence[Any], count_share: bool) -> None:
        now = blocks(messages, tools)
        size = tokens(sum(len(b) for b in now))
        whole, exact = shared_chars(now, self._prev) if self._prev is not None else (0, 0)
        # Anthropic reads up to a breakpoint: a block boundary; OpenAI any prefix (128-token steps)
        self.usd_anthropic += self.anthropic.request(size, tokens(whole))
        self.usd_openai += self.openai.request(size, tokens(exact))
        self.tokens += size
        self.prefix_tokens += tokens(exact)
        if count_share and self._prev is not None:
            prev = sum(len(b) for b in self._prev)
            self.share_tokens += tokens(prev)
            self.share_prefix += tokens(exact)
            self.shares.append(exact / max(1, prev))
        self.requests += 1
        self._prev = now


def pricings() -> tuple[CachePricing, CachePricing]:
    """$1 per million input tokens; Anthropic's read 0.1× / write 1.25×, OpenAI's cached 0.5×."""
    anthropic = CachePricing.of("claude-bench", 1e-6)
    openai = CachePricing.of("gpt-bench", 1e-6, 0.5e-6)
    assert anthropic is not None and openai is not None
    return anthropic, openai
