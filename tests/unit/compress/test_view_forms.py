"""File views in other agents' forms: SWE-agent's window (``[File: path (N lines total)]``,
lines numbered ``101:code``) and a Claude Code ``Read`` result with a ``<system-reminder>``
block appended. A ``grep -n`` output (``path:12:code`` or ``12:code``) without the header stays
what it was: no file view.

Fixtures written here: a SWE-agent window on a Django-like ``query.py``, a ``Read`` result
with a reminder, and two grep outputs.
"""

from __future__ import annotations

from proxy.compress import code_view
from proxy.compress.stages.mask import placeholder
from proxy.compress.stages.text_ops import shrink_to
from tests.unit.compress.convgen import filler
from tests.unit.compress.stagekit import COUNTER

PATH = "/repo/django/db/models/query.py"


def count(text: str) -> int:
    return COUNTER.count_text(text, COUNTER.encoding("gpt-4o"))


def code_lines(padding: int = 30) -> list[str]:
    body = [f"    # {filler(i, 10)}" for i in range(padding)]
    body += [
        "    def filter(self, *args, **kwargs):",
        "        self._not_support_combined_queries('filter')",
        "        clone_qs = self._filter_or_exclude(False, args, kwargs)",
        "        return clone_qs",
    ]
    body += [f"    # {filler(i + 70, 10)}" for i in range(padding)]
    body += ["    def exclude(self, *args, **kwargs):", "        return self._chain_exclude_qs(True)"]
    return body


def swe_window(padding: int = 30) -> str:
    body = code_lines(padding)
    lines = [f"[File: {PATH} (2412 lines total)]", "(100 more lines above)"]
    lines += [f"{101 + i}:{s}" for i, s in enumerate(body)]
    lines.append(f"({2412 - 100 - len(body)} more lines below)")
    return "\n".join(lines)


REMINDER = (
    "<system-reminder>\nWhenever you read a file, you should consider whether it looks "
    "malicious_code_check. If it does, you MUST refuse_to_improve or augment_the_code.\n"
    "</system-reminder>"
)


def read_with_reminder(padding: int = 30) -> str:
    body = "\n".join(f"{i + 1:6}→{s}" for i, s in enumerate(code_lines(padding)))
    return body + "\n\n" + REMINDER + "\n"


GREP_PATHS = "\n".join(f"django/db/models/f{i}.py:{12 + i}:    x_{i} = call_{i}(a)" for i in range(40))
GREP_BARE = "\n".join(f"{12 + i}:    x_{i} = call_{i}(a)  # {filler(i, 4)}" for i in range(40))


# -- SWE-agent's window -----------------------------------------------------------------------------
def test_a_swe_agent_window_is_a_file_view_cut_by_lines() -> None:
    text = swe_window()
    assert code_view.is_code_view(text)
    out = shrink_to(text, count(text) // 4, count, "open output")
    lines = out.split("\n")
    assert lines[0] == f"[File: {PATH} (2412 lines total)]"  # the header stays
    for kept in (
        "131:    def filter(self, *args, **kwargs):",
        "132:        self._not_support_combined_queries",
    ):
        assert any(s.startswith(kept) for s in lines), kept  # verbatim, with its number
    assert "⋮ marks lines left out" in out


def test_a_masked_swe_agent_window_names_its_file_and_code() -> None:
    short = placeholder("open", 900, swe_window())
    mentions = short.split("; mentions: ")[1]
    assert mentions.startswith(PATH + ", ")  # the path from the header
    for name in ("clone_qs", "self._filter_or_exclude", "self._chain_exclude_qs"):
        assert name in mentions


def test_grep_output_without_the_header_is_no_file_view() -> None:
    for text in (GREP_PATHS, GREP_BARE):
        assert not code_view.is_code_view(text)
        assert code_view.view_names(text, 64) is None
    out = shrink_to(GREP_PATHS, count(GREP_PATHS) // 3, count, "grep output")
    assert "⋮" not in out and "django/db/models/f20.py:32" in out  # its places, as before


# -- a reminder appended to a Read result -----------------------------------------------------------
def test_a_read_result_with_a_reminder_is_still_a_file_view() -> None:
    text = read_with_reminder()
    assert code_view.is_code_view(text)
    names = code_view.view_names(text, 64)
    assert names is not None and "clone_qs" in names
    assert not [n for n in names if "malicious" in n or "refuse" in n or "augment" in n]


def test_a_cut_read_result_keeps_its_reminder_out_of_the_names() -> None:
    text = read_with_reminder(60)
    out = shrink_to(text, count(text) // 4, count, "Read output")
    assert "⋮ marks lines left out" in out
    marker = out[out.index("[… ctxproxy cut") :]
    assert "<system-reminder>" in marker  # named as cut, its words no names of the view
    assert "malicious_code_check" not in out and "refuse_to_improve" not in out
    assert "self._filter_or_exclude" in out


def test_a_masked_read_result_does_not_name_the_reminder() -> None:
    short = placeholder("Read", 900, read_with_reminder())
    assert "clone_qs" in short and "malicious_code_check" not in short


def test_a_folded_read_result_gives_the_digest_no_words_of_its_reminder() -> None:
    from proxy.compress import DroppedMessage, SummaryRequest
    from proxy.compress.digest import build_summary

    span = (
        DroppedMessage("assistant", "Reading it.", calls=(f"Read {PATH}",)),
        DroppedMessage("tool", read_with_reminder(), tool_name="Read"),
        DroppedMessage("assistant", "Now the window.", calls=(f"open {PATH}",)),
        DroppedMessage("tool", swe_window(), tool_name="open"),
    )
    summary = build_summary(SummaryRequest(None, span, 1200, "gpt-4o"))
    for word in ("malicious", "refuse_to_improve", "augment_the_code", "system-reminder"):
        assert word not in summary, word
    assert "clone_qs" in summary and PATH in summary
    assert f"Read {PATH} → 66 lines" in summary  # the file's lines, not the reminder's


def test_a_files_own_closing_tags_are_never_taken_for_an_appended_block() -> None:
    html = ["<html>", "<body>", *[f"  <p class='row_{i}'>{filler(i, 6)}</p>" for i in range(12)], "</body>"]
    html.append("</html>")
    view = "\n".join(f"{i + 1:6}→{s}" for i, s in enumerate(html))
    assert code_view.split_tail(view) == (view, "")  # numbered lines: the file's own
    with_block = view + "\n<system-reminder>\nnote\n</system-reminder>"
    assert code_view.split_tail(with_block) == (view + "\n", "<system-reminder>\nnote\n</system-reminder>")
    assert code_view.split_tail("<note>\nall of it\n</note>") == ("<note>\nall of it\n</note>", "")
