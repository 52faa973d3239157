"""Realistic conversations for all three APIs, from one neutral script (tests and benchmarks).

A script is a list of turns: ``("user", text)``, ``("assistant", text)`` or
``("tools", [(name, args_text, output_text), ...], reasoning_text | None)``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from hypothesis import strategies as st

Turn = tuple[Any, ...]

WORDS = [
    "alpha",
    "deploy",
    "error",
    "config",
    "Alice",
    "cache",
    "path",
    "token",
    "retry",
    "build",
    "the",
    "a",
]
SYSTEM = "You are a careful coding agent. Use the tools. Answer precisely."
TOOLS_OPENAI = [
    {
        "type": "function",
        "function": {"name": n, "description": f"{n} tool", "parameters": {"type": "object"}},
    }
    for n in ("read_file", "run", "search")
]
TOOLS_ANTHROPIC = [
    {"name": n, "description": f"{n} tool", "input_schema": {"type": "object"}}
    for n in ("read_file", "run", "search")
]
IMAGE_URL = "https://example.com/diagram.png"


def filler(seed: int, n_words: int) -> str:
    out = []
    for i in range(n_words):
        w = WORDS[(seed * 7 + i * 13) % len(WORDS)]
        out.append(w if i % 17 else f"{w} {seed * 31 + i}.")
    return " ".join(out)


# -- renderers ----------------------------------------------------------------------------------
def to_chat(script: list[Turn], *, images: bool = False) -> dict[str, Any]:
    msgs: list[dict[str, Any]] = [{"role": "system", "content": SYSTEM}]
    n = 0
    for turn in script:
        if turn[0] == "user":
            content: Any = turn[1]
            if images and len(msgs) % 3 == 0:
                content = [
                    {"type": "text", "text": turn[1]},
                    {"type": "image_url", "image_url": {"url": IMAGE_URL}},
                ]
            msgs.append({"role": "user", "content": content})
        elif turn[0] == "assistant":
            msgs.append({"role": "assistant", "content": turn[1]})
        else:
            calls = []
            results = []
            for name, args, output in turn[1]:
                cid = f"call_{n}"
                n += 1
                calls.append({"id": cid, "type": "function", "function": {"name": name, "arguments": args}})
                results.append({"role": "tool", "tool_call_id": cid, "content": output})
            msg: dict[str, Any] = {"role": "assistant", "content": None, "tool_calls": calls}
            if turn[2]:
                msg["reasoning_content"] = turn[2]
            msgs.append(msg)
            msgs.extend(results)
    return {"model": "gpt-4o", "messages": msgs, "tools": TOOLS_OPENAI, "stream": True}


def to_responses(script: list[Turn], *, images: bool = False) -> dict[str, Any]:
    items: list[dict[str, Any]] = [{"role": "developer", "content": SYSTEM}]
    n = 0
    for turn in script:
        if turn[0] == "user":
            parts: list[dict[str, Any]] = [{"type": "input_text", "text": turn[1]}]
            if images and len(items) % 3 == 0:
                parts.append({"type": "input_image", "image_url": IMAGE_URL})
            items.append({"type": "message", "role": "user", "content": parts})
        elif turn[0] == "assistant":
            items.append(
                {
                    "type": "message",
                    "role": "assistant",
                    "id": f"msg_{len(items)}",
                    "content": [{"type": "output_text", "text": turn[1]}],
                }
            )
        else:
            if turn[2]:
                items.append(
                    {
                        "type": "reasoning",
                        "id": f"rs_{len(items)}",
                        "summary": [],
                        "encrypted_content": "gAAAA" + turn[2].replace(" ", ""),
                    }
                )
            outs = []
            for name, args, output in turn[1]:
                cid = f"call_{n}"
                n += 1
                items.append({"type": "function_call", "call_id": cid, "name": name, "arguments": args})
                outs.append({"type": "function_call_output", "call_id": cid, "output": output})
            items.extend(outs)
    return {
        "model": "gpt-4.1",
        "instructions": SYSTEM,
        "input": items,
        "tools": [
            {"type": "function", "name": t["function"]["name"], "parameters": {"type": "object"}}
            for t in TOOLS_OPENAI
        ],
    }


def to_anthropic(script: list[Turn], *, images: bool = False, cache: bool = True) -> dict[str, Any]:
    msgs: list[dict[str, Any]] = []
    n = 0

    def add(role: str, blocks: list[dict[str, Any]]) -> None:
        if msgs and msgs[-1]["role"] == role:
            if role == "user" and any(b.get("type") == "tool_result" for b in blocks):
                msgs[-1]["content"] = blocks + msgs[-1]["content"]
            else:
                msgs[-1]["content"] = msgs[-1]["content"] + blocks
        else:
            msgs.append({"role": role, "content": blocks})

    for turn in script:
        if turn[0] == "user":
            blocks: list[dict[str, Any]] = [{"type": "text", "text": turn[1]}]
            if images and len(msgs) % 3 == 0:
                blocks.append({"type": "image", "source": {"type": "url", "url": IMAGE_URL}})
            add("user", blocks)
        elif turn[0] == "assistant":
            add("assistant", [{"type": "text", "text": turn[1].rstrip() or "ok"}])
        else:
            blocks = []
            if turn[2]:
                blocks.append(
                    {"type": "thinking", "thinking": turn[2], "signature": "sig" + str(len(turn[2]))}
                )
            results = []
            for name, args, output in turn[1]:
                cid = f"toolu_{n}"
                n += 1
                blocks.append({"type": "tool_use", "id": cid, "name": name, "input": {"q": args}})
                results.append({"type": "tool_result", "tool_use_id": cid, "content": output})
            add("assistant", blocks)
            add("user", results)
    if msgs and msgs[0]["role"] != "user":
        msgs.insert(0, {"role": "user", "content": "Start."})
    if cache and msgs:
        msgs[0]["content"][-1]["cache_control"] = {"type": "ephemeral"}
    body: dict[str, Any] = {
        "model": "claude-sonnet-4-5",
        "max_tokens": 2048,
        "messages": msgs,
        "tools": TOOLS_ANTHROPIC,
        "system": [{"type": "text", "text": SYSTEM, "cache_control": {"type": "ephemeral"}}],
    }
    return body


def to_gemini(script: list[Turn], *, images: bool = False) -> dict[str, Any]:
    contents: list[dict[str, Any]] = []

    def add(role: str, parts: list[dict[str, Any]]) -> None:
        if contents and contents[-1]["role"] == role:
            contents[-1]["parts"] = contents[-1]["parts"] + parts
        else:
            contents.append({"role": role, "parts": parts})

    n = 0
    for turn in script:
        if turn[0] == "user":
            parts: list[dict[str, Any]] = [{"text": turn[1]}]
            if images and len(contents) % 3 == 0:
                parts.append({"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}})
            add("user", parts)
        elif turn[0] == "assistant":
            add("model", [{"text": turn[1]}])
        else:
            calls: list[dict[str, Any]] = []
            responses: list[dict[str, Any]] = []
            for name, args, output in turn[1]:
                call: dict[str, Any] = {"functionCall": {"name": name, "args": {"q": args}}}
                if n % 2:
                    call["functionCall"]["id"] = f"fc_{n}"
                if turn[2] and not calls:
                    call["thoughtSignature"] = "c2lnbmF0dXJl" + str(n)
                calls.append(call)
                resp: dict[str, Any] = {"name": name, "response": {"result": output}}
                if n % 2:
                    resp["id"] = f"fc_{n}"
                responses.append({"functionResponse": resp})
                n += 1
            add("model", calls)
            add("user", responses)
    return {
        "contents": contents,
        "systemInstruction": {"parts": [{"text": SYSTEM}]},
        "tools": [{"functionDeclarations": [{"name": t["function"]["name"]} for t in TOOLS_OPENAI]}],
        "generationConfig": {"maxOutputTokens": 2048},
        "model": "gemini-2.5-flash",
    }


RENDER = {
    "openai-chat": to_chat,
    "openai-responses": to_responses,
    "anthropic": to_anthropic,
    "gemini": to_gemini,
}


def ends_with_user(script: list[Turn]) -> list[Turn]:
    return [*script, ("user", "What is the status now? Keep going.")]


# -- hypothesis strategies ------------------------------------------------------------------------
class Fill(NamedTuple):
    """A generated text, written as the call that makes it."""

    seed: int
    words: int

    def __repr__(self) -> str:
        return f"filler({self.seed}, {self.words})"

    def text(self) -> str:
        return filler(self.seed, self.words)


class Script(list[Turn]):
    """Generated turns whose repr writes each generated text as its ``filler(seed, words)`` call.

    Hypothesis prints a failing example's arguments; with the texts themselves that is up to
    ~1 MB, over the 30 kB at which it warns "Generating overly large repr" (an error under our
    ``filterwarnings``). The repr is a few kB and evaluates, with this module's names, to the
    same turns: paste it into a regression test.
    """

    def __init__(self, spec: list[Turn]) -> None:
        super().__init__(_realize(spec))
        self.spec = spec

    def __repr__(self) -> str:
        return repr(self.spec)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self.spec))


def _realize(value: Any) -> Any:
    if isinstance(value, Fill):
        return value.text()
    if isinstance(value, tuple | list):
        return type(value)(_realize(v) for v in value)
    return value


def _text(draw: Any, seed: int, lo: int, hi: int) -> Fill:
    return Fill(seed, draw(st.integers(lo, hi)))


@st.composite
def scripts(draw: Any, max_turns: int = 24) -> Script:
    turns: list[Turn] = [("user", "Task: fix bug 4711 in src/core/engine.py and report the result.")]
    for i in range(draw(st.integers(1, max_turns))):
        kind = draw(st.sampled_from(["tools", "tools", "tools", "assistant", "user"]))
        if kind == "user":
            turns.append(("user", _text(draw, i, 3, 40)))
        elif kind == "assistant":
            turns.append(("assistant", _text(draw, i + 100, 3, 60)))
        else:
            calls = []
            for j in range(draw(st.integers(1, 3))):
                huge = draw(st.integers(0, 9)) == 0
                size = draw(st.integers(2000, 6000)) if huge else draw(st.integers(5, 300))
                name = draw(st.sampled_from(["read_file", "run", "search"]))
                calls.append((name, f'{{"path": "src/m{i}_{j}.py"}}', Fill(i * 10 + j, size)))
            reasoning = _text(draw, i + 500, 5, 30) if draw(st.booleans()) else None
            turns.append(("tools", calls, reasoning))
    return Script(ends_with_user(turns))
