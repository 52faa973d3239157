"""A tool output's names that share a distinctive word with the task's names go first: in a cut
output's marker, a masked output's placeholder and the digest's trail (an agent lists a
repository and later types the file of its task, not the first names of the listing)."""

from __future__ import annotations

import orjson

from proxy.compress import Compactor, DroppedMessage, Limits, SummaryRequest, TokenCounter
from proxy.compress.digest import build_summary, names_need
from proxy.compress.focus import focus_first, focus_words, related
from proxy.compress.stages.mask import placeholder
from proxy.compress.stages.text_ops import cut_middle
from proxy.config import load_settings
from proxy.storage import MemoryKV
from tests.unit.compress.convgen import RENDER, Turn, filler

TASK = (
    "<uploaded_files>\n/workspace/astro\n</uploaded_files>\nPlease fix this issue: "
    "Header.fromstring does not accept Python 3 bytes. Make the code work and test it well."
)


def listing() -> str:
    """An ``ls -R`` of 300 modules; the one named after the task's ``Header`` comes late."""
    names = [f"module_{i:03}.py" for i in range(300)]
    names.insert(250, "test_header.py")
    rows = ["/workspace/astro/pkg:"] + ["\t".join(names[i : i + 4]) for i in range(0, len(names), 4)]
    return "\n".join(rows)


def test_the_task_gives_the_words_of_its_names_not_of_its_prose() -> None:
    words = focus_words(TASK)
    assert {"header", "fromstring", "workspace", "astro"} <= words
    assert not {"please", "issue", "code", "test", "work"} & words


def test_a_rarer_shared_word_ranks_first_and_a_word_most_names_hold_does_not_count() -> None:
    names = ["a/astro/x.py", "a/astro/y.py", "a/astro/header.py", "a/astro/z.py", "fromstring_util.py"]
    focus = frozenset({"astro", "header", "fromstring"})
    assert related(names, focus, limit=3) == ["a/astro/header.py", "fromstring_util.py"]
    assert related(names, focus, limit=8)[:2] == ["a/astro/header.py", "fromstring_util.py"]
    assert len(related(names, focus, limit=8)) == 5  # "astro" counts when few enough hold it
    assert focus_first(["b", "c"], names, frozenset(), 1) == ["b"]  # no focus: as before
    assert focus_first(["b", "c"], names, focus, 3) == ["a/astro/header.py", "fromstring_util.py", "b"]


def test_a_cut_listing_names_the_tasks_file_in_its_marker() -> None:
    text = listing()
    tokens = len(text) // 4
    assert "test_header" not in cut_middle(text, 300, tokens, "execute_bash output")
    cut = cut_middle(text, 300, tokens, "execute_bash output", focus_words(TASK))
    marker = cut[cut.index("[… ctxproxy cut") :]
    assert "test_header.py" in marker.split("; mentions: ")[1].split(", ")[:3]


def test_a_masked_listing_names_the_tasks_file_in_its_placeholder() -> None:
    text = listing()
    assert "test_header" not in placeholder("execute_bash", 3000, text)
    assert "test_header.py" in placeholder("execute_bash", 3000, text, focus_words(TASK))


def test_a_folded_listing_leaves_the_tasks_file_on_the_trail_with_room_for_it() -> None:
    span = (
        DroppedMessage("assistant", "Let me list the repository.", calls=("execute_bash ls -R",)),
        DroppedMessage("tool", listing(), tool_name="execute_bash"),
    )
    focus = focus_words(TASK)
    plain = build_summary(SummaryRequest(None, span, 600, "gpt-4o"))
    assert "test_header" not in plain
    summary = build_summary(SummaryRequest(None, span, 600, "gpt-4o", focus=focus))
    assert "test_header.py" in summary.split("Artifacts: ")[1]
    assert names_need(span, focus=focus) > 0


async def compacted(task: str) -> str:
    turns: list[Turn] = [
        ("user", task),
        ("tools", [("execute_bash", '{"command": "ls -R"}', listing())], None),
    ]
    for i in range(14):
        turns.append(("tools", [("read_file", f'{{"path": "src/m{i}.py"}}', filler(i, 900))], None))
    body = RENDER["openai-chat"](turns)
    compactor = Compactor(load_settings(environ={}).compression, kv=MemoryKV(), counter=TokenCounter())
    result = await compactor.compress(body, "openai-chat", "gpt-4o", Limits(16_000, None, None))
    assert result.body is not None
    return orjson.dumps(result.body["messages"]).decode()


async def test_the_compactor_ranks_a_listing_by_the_conversations_task() -> None:
    """End to end: the task is the conversation's first user message."""
    assert "test_header.py" in await compacted(TASK)
    assert "test_header" not in await compacted(TASK.replace("Header.fromstring", "Card.parse"))
