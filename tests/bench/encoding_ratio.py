"""cl100k ÷ o200k token counts on real text of several kinds.

Run: ``.venv/bin/python tests/bench/encoding_ratio.py``.

The proxy approximates every non-OpenAI model family with one tiktoken encoding times a
per-family factor. This measures how far the two encodings it ships differ, per kind of text,
so a factor fitted against one can be carried over to the other (``factor_o200k = factor_cl100k
× cl100k ÷ o200k``), and how much that carried-over factor is off for each kind.

Kinds: the OpenHands agent sessions (``shared/dev-data/openhands-dev`` beside the checkout when
present, else the three copied into ``tests/data/openhands``), by role and per whole session;
LoCoMo conversations (``shared/dev-data/locomo-dev``, read only; skipped, and said so, when
absent); this repository's code and docs; JSON data (``tests/data/catalog-real``); short
paragraphs in nine languages (``tests/data/languages``). Per kind: the ratio of the totals,
and across its documents (≥ 50 tokens each) the 10th, 50th and 90th percentiles.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(HERE))

from proxy.compress.encodings import CL100K, O200K, Encodings  # noqa: E402
from tests.bench._util import markdown_table, percentile  # noqa: E402
from tests.bench.reader.devdata import locomo_path, openhands_dir  # noqa: E402

Docs = dict[str, list[str]]  # kind → documents


def session_texts(path: Path) -> Iterator[tuple[str, str]]:
    """(kind, text) of every message part, tool call and the tool definitions of one session."""
    body = json.loads(path.read_text())
    yield "agent: tool definitions (JSON)", json.dumps(body.get("tools", []))
    for msg in body["messages"]:
        content = msg.get("content")
        parts = content if isinstance(content, list) else [{"text": content or ""}]
        text = "\n".join(p.get("text", "") for p in parts if isinstance(p, dict))
        role = msg["role"]
        kind = {"tool": "agent: tool outputs", "system": "agent: system prompt"}.get(
            role, "agent: user + assistant"
        )
        yield kind, text
        for call in msg.get("tool_calls") or []:
            yield "agent: tool-call arguments", call["function"]["arguments"]


def collect() -> tuple[Docs, list[str]]:
    docs: Docs = {}
    notes: list[str] = []

    def add(kind: str, text: str) -> None:
        if text:
            docs.setdefault(kind, []).append(text)

    folder = openhands_dir()
    if folder is None:
        folder = HERE / "tests" / "data" / "openhands"
        notes.append("openhands-dev: absent; the 3 sessions in tests/data/openhands measured instead")
    sessions = sorted(p for p in folder.glob("*.json") if p.name != "index.json")
    notes.append(f"agent sessions: {len(sessions)} from {folder}")
    for path in sessions:
        whole = []
        for kind, text in session_texts(path):
            add(kind, text)
            whole.append(text)
        add("agent: whole session", "\n".join(whole))
    locomo = locomo_path()
    if locomo is None:
        notes.append("locomo-dev: absent (no shared/dev-data/locomo-dev beside the checkout): not measured")
    else:
        for sample in json.loads(locomo.read_text()):
            conv = sample["conversation"]
            for key, turns in conv.items():
                if key.startswith("session_") and isinstance(turns, list):
                    add(
                        "LoCoMo conversation sessions",
                        "\n".join(f"{t['speaker']}: {t['text']}" for t in turns),
                    )
    for pattern in ("proxy/**/*.py", "tests/**/*.py"):
        for path in sorted(HERE.glob(pattern)):
            add("code: Python (this repository)", path.read_text())
    for path in sorted((HERE / "proxy" / "status" / "static").glob("*.*")):
        add("code: JS / CSS / HTML (status page)", path.read_text())
    for path in sorted((HERE / "docs").glob("*.md")):
        add("docs: English Markdown (this repository)", path.read_text())
    for path in sorted((HERE / "tests" / "data" / "catalog-real").glob("*.json")):
        text = path.read_text()
        for i in range(0, min(len(text), 400_000), 8_000):
            add("JSON data (catalog-real, 8 KB pieces)", text[i : i + 8_000])
    for path in sorted((HERE / "tests" / "data" / "languages").glob("*.txt")):
        add(f"non-English: {path.stem}", path.read_text())
    return docs, notes


def main() -> int:
    docs, notes = collect()
    encodings = Encodings()
    cl, o2 = encodings.get(CL100K), encodings.get(O200K)
    rows = []
    for kind, texts in docs.items():
        a = [len(cl.encode_ordinary(t)) for t in texts]
        b = [len(o2.encode_ordinary(t)) for t in texts]
        per_doc = [x / y for x, y in zip(a, b, strict=True) if y >= 50]
        spread = (
            " / ".join(f"{percentile(per_doc, q):.3f}" for q in (10, 50, 90)) if len(per_doc) >= 3 else "–"
        )
        rows.append([kind, str(len(texts)), f"{sum(b):,}", f"{sum(a) / sum(b):.3f}", spread])
    for note in notes:
        print(note)
    print()
    print(
        markdown_table(
            ["kind", "documents", "o200k tokens", "cl100k ÷ o200k", "per document p10 / p50 / p90"], rows
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
