"""Valid request bodies for the four chat APIs, the starting points the fuzzer mutates.

One builder per API (OpenAI chat, OpenAI Responses, Anthropic messages, Gemini
generateContent) writes a seeded conversation of a given number of turns: plain text, tool
calls and their results, images, thinking blocks and reasoning items, sometimes streamed.
``SEEDS`` maps each API's name to its builder.
"""

from __future__ import annotations

import random
from typing import Any

WORDS = (
    "alpha beta gamma delta build test deploy error warning file path line function result "
    "value config token cache stream agent model upstream retry window summary"
).split()


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _openai_chat(rng: random.Random, model: str, turns: int) -> dict[str, Any]:
    msgs: list[dict[str, Any]] = [{"role": "system", "content": "You are terse."}]
    for t in range(turns):
        msgs.append({"role": "user", "content": _text(rng, rng.randint(20, 120))})
        if rng.random() < 0.4:
            cid = f"call_{t}"
            msgs.append(
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {"id": cid, "type": "function", "function": {"name": "read", "arguments": '{"p": 1}'}}
                    ],
                }
            )
            msgs.append({"role": "tool", "tool_call_id": cid, "content": _text(rng, rng.randint(50, 300))})
        if rng.random() < 0.2:
            msgs.append(
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "see"},
                        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
                    ],
                }
            )
        msgs.append({"role": "assistant", "content": _text(rng, rng.randint(10, 80))})
    msgs.append({"role": "user", "content": "next?"})
    body: dict[str, Any] = {"model": model, "messages": msgs, "max_tokens": 256}
    if rng.random() < 0.3:
        body["tools"] = [{"type": "function", "function": {"name": "read", "parameters": {"type": "object"}}}]
    if rng.random() < 0.3:
        body["stream"] = True
    return body


def _responses(rng: random.Random, model: str, turns: int) -> dict[str, Any]:
    if rng.random() < 0.1:
        return {"model": model, "input": _text(rng, 50), "instructions": "be terse"}
    items: list[dict[str, Any]] = [{"role": "developer", "content": "be terse"}]
    for t in range(turns):
        items.append(
            {"role": "user", "content": [{"type": "input_text", "text": _text(rng, rng.randint(20, 120))}]}
        )
        if rng.random() < 0.3:
            items.append({"type": "reasoning", "id": f"rs_{t}", "summary": [], "encrypted_content": "enc"})
        if rng.random() < 0.4:
            cid = f"call_{t}"
            items.append({"type": "function_call", "call_id": cid, "name": "read", "arguments": "{}"})
            items.append({"type": "function_call_output", "call_id": cid, "output": _text(rng, 200)})
        items.append(
            {
                "type": "message",
                "role": "assistant",
                "content": [{"type": "output_text", "text": _text(rng, 40)}],
            }
        )
    items.append({"role": "user", "content": "next?"})
    body: dict[str, Any] = {"model": model, "input": items, "max_output_tokens": 256}
    if rng.random() < 0.1:
        body["previous_response_id"] = "resp_1"
    if rng.random() < 0.3:
        body["stream"] = True
    return body


def _anthropic(rng: random.Random, model: str, turns: int) -> dict[str, Any]:
    msgs: list[dict[str, Any]] = []
    for t in range(turns):
        msgs.append({"role": "user", "content": _text(rng, rng.randint(20, 120))})
        if rng.random() < 0.4:
            tid = f"toolu_{t}"
            content: list[dict[str, Any]] = []
            if rng.random() < 0.3:
                content.append({"type": "thinking", "thinking": _text(rng, 20), "signature": "sig"})
            content.append({"type": "tool_use", "id": tid, "name": "read", "input": {"p": 1}})
            msgs.append({"role": "assistant", "content": content})
            msgs.append(
                {
                    "role": "user",
                    "content": [{"type": "tool_result", "tool_use_id": tid, "content": _text(rng, 200)}],
                }
            )
        msgs.append({"role": "assistant", "content": [{"type": "text", "text": _text(rng, 40)}]})
    msgs.append({"role": "user", "content": "next?"})
    body: dict[str, Any] = {"model": model, "max_tokens": 256, "system": "be terse", "messages": msgs}
    if rng.random() < 0.3:
        body["stream"] = True
    return body


def _gemini(rng: random.Random, model: str, turns: int) -> dict[str, Any]:
    contents: list[dict[str, Any]] = []
    for _ in range(turns):
        contents.append({"role": "user", "parts": [{"text": _text(rng, rng.randint(20, 120))}]})
        if rng.random() < 0.4:
            contents.append(
                {"role": "model", "parts": [{"functionCall": {"name": "read", "args": {"p": 1}}}]}
            )
            contents.append(
                {
                    "role": "user",
                    "parts": [
                        {"functionResponse": {"name": "read", "response": {"result": _text(rng, 200)}}}
                    ],
                }
            )
        contents.append({"role": "model", "parts": [{"text": _text(rng, 40)}]})
    contents.append({"role": "user", "parts": [{"text": "next?"}]})
    return {
        "contents": contents,
        "systemInstruction": {"parts": [{"text": "be terse"}]},
        "generationConfig": {"maxOutputTokens": 256},
    }


SEEDS = {
    "openai-chat": _openai_chat,
    "openai-responses": _responses,
    "anthropic": _anthropic,
    "gemini": _gemini,
}
