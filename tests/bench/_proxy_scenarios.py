"""The proxy benchmark's scenarios: Chat Completions bodies of 2 KB and 400 KB, sent as JSON,
as SSE and to a non-chat path, the same body each time or with one message changed."""

from __future__ import annotations

from dataclasses import dataclass

import orjson

NEAR = "400 KB chat JSON near the trigger"
NEAR_NEXT = "400 KB chat JSON near the trigger, a new last message each time"
NEXT_TURN = "400 KB chat JSON, a new last message each time"
OTHER_CONV = "400 KB chat JSON, another conversation each time"

KB = 1024
# A catalog override for the near-the-trigger scenario: the 400 KB body (≈65k tokens) is under
# this model's trigger (≈92k tokens), but its bytes are not, so only counting can tell.
NEAR_MODEL, NEAR_WINDOW, NEAR_OUTPUT = "bench-near-trigger", 131_072, 16_384


@dataclass(frozen=True)
class Scenario:
    name: str
    size_kb: int
    tail: str  # path after /v1 (direct) or /openai (proxy)
    sse: bool
    body: bytes
    # where each request's body differs from the one before (8 bytes of a message's text): "" the
    # same body every time; "last": the newest message (a conversation's next turn); "first":
    # the system message (another conversation of the same client, same first 64 bytes)
    vary: str = ""

    def body_at(self, n: int) -> bytes:
        if not self.vary:
            return self.body
        key = b'"content":"'
        at = (self.body.rfind(key) if self.vary == "last" else self.body.find(key)) + len(key) + 10
        return self.body[:at] + b"%08d" % (n % 10**8) + self.body[at + 8 :]

    @property
    def headers(self) -> dict[str, str]:
        h = {"Content-Type": "application/json", "Authorization": "Bearer sk-bench-client"}
        if self.sse:
            h["x-bench-sse"] = "1"
        return h


def chat_body(size: int, model: str) -> bytes:
    """A Chat Completions request of about ``size`` bytes: system prompt + alternating turns."""
    words = "agent context tool result file diff test patch review summary plan step".split()
    messages: list[dict[str, str]] = [{"role": "system", "content": "You are a careful coding agent."}]
    body: dict[str, object] = {"model": model, "messages": messages, "stream": False}
    turn = 0
    while len(orjson.dumps(body)) < size:
        text = " ".join(words[(turn * 7 + i) % len(words)] for i in range(300))
        messages.append({"role": "user" if turn % 2 == 0 else "assistant", "content": text})
        turn += 1
    last = messages[-1]
    excess = len(orjson.dumps(body)) - size
    last["content"] = last["content"][: max(1, len(last["content"]) - excess)]
    return orjson.dumps(body)


def scenarios(model: str) -> list[Scenario]:
    out = []
    for size_kb in (2, 400):
        body = chat_body(size_kb * KB, model)
        out.append(Scenario(f"{size_kb} KB chat JSON", size_kb, "chat/completions", False, body))
        out.append(Scenario(f"{size_kb} KB chat SSE", size_kb, "chat/completions", True, body))
        out.append(Scenario(f"{size_kb} KB non-chat JSON", size_kb, "embeddings", False, body))
    body = chat_body(400 * KB, model)
    out.append(Scenario(NEXT_TURN, 400, "chat/completions", False, body, vary="last"))
    out.append(Scenario(OTHER_CONV, 400, "chat/completions", False, body, vary="first"))
    near = chat_body(400 * KB, NEAR_MODEL)
    out.append(Scenario(NEAR, 400, "chat/completions", False, near))
    out.append(Scenario(NEAR_NEXT, 400, "chat/completions", False, near, vary="last"))
    return out
