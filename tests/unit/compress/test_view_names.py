"""A folded file view keeps the names an agent types later: on the digest's trail, with room of
its own in the summary budget, and a drained compaction does not cut that summary away."""

from __future__ import annotations

from typing import Any

from proxy.compress import DroppedMessage, SummaryRequest
from proxy.compress.code_view import view_names
from proxy.compress.digest import build_summary, names_need
from proxy.compress.stages import CutStage, SummarizeStage
from proxy.compress.stages.mask import placeholder
from proxy.compress.summary_format import artifacts_line
from proxy.compress.units import estimate_tokens
from tests.unit.compress.convgen import to_chat
from tests.unit.compress.stagekit import stage_kit

HEAD = "Here's the result of running `cat -n` on /srv/app/tables.py:"


def file_view(n: int = 48) -> str:
    """A view of a module defining ``n`` helpers, each with a local name of its own."""
    lines = ["import os", "import signal", ""]
    for i in range(n):
        lines += [
            f"def build_part_{i:02}(rows):",
            f"    cols_{i:02}_list = rows.split()",
            "    return rows",
            "",
        ]
    return HEAD + "\n" + "\n".join(f"{k:6}\t{line}" for k, line in enumerate(lines, 1))


def trail(summary: str) -> list[str]:
    line = next(s for s in summary.split("\n") if s.startswith("Artifacts: "))
    return line.removeprefix("Artifacts: ").split(", ")


def defined(names: list[str]) -> list[str]:
    return [n for n in names if n.startswith(("cols_", "build_part_"))]


def test_a_view_cut_to_its_first_line_lists_its_cut_markers_names() -> None:
    cut = HEAD + "\n     ⋮\n[… ctxproxy cut 5008 tokens of content, ⋮ marks lines left out; mentions: "
    cut += ", ".join(f"name_{i:02}" for i in range(40)) + " …]\n"
    names = view_names(cut, 64)
    assert names is not None and names[0] == "/srv/app/tables.py" and names[-1] == "name_39"
    assert view_names("plain output, no line numbers", 64) is None
    # … and a placeholder of it lists them all (a plain output's placeholder: 16 at most)
    assert "name_39" in placeholder("str_replace_editor", 2000, cut)


def test_a_folded_view_leaves_its_defined_names_on_the_trail() -> None:
    view = file_view()
    span = (
        DroppedMessage("assistant", "Let me look.\nCalled view.", calls=("str_replace_editor view",)),
        DroppedMessage("tool", view, tool_name="str_replace_editor"),
    )
    names = trail(build_summary(SummaryRequest(None, span, 1200, "gpt-4o")))
    assert "/srv/app/tables.py" in names
    assert len(defined(names)) >= 60  # the compound names it defines (a plain output leaves 8)
    # masked first, then folded: the same names, through its placeholder
    masked = DroppedMessage(
        "tool", placeholder("str_replace_editor", 3000, view), tool_name="str_replace_editor"
    )
    names = trail(build_summary(SummaryRequest(None, (span[0], masked), 1200, "gpt-4o")))
    assert len(defined(names)) >= 60


def test_only_tool_outputs_ask_for_room_for_names() -> None:
    view = DroppedMessage("tool", file_view(), tool_name="str_replace_editor")
    chat = DroppedMessage("user", "We met cols_01_list and build_part_02 yesterday in /srv/app/tables.py.")
    assert names_need((view,)) > 100
    assert names_need((chat,)) == 0


def tool_loop(views: int) -> list[dict[str, Any]]:
    """The task, then ``views`` file views of ``str_replace_editor`` with their calls."""
    script: list[Any] = [("user", "Task: fix the table writer.")]
    script += [("tools", [("str_replace_editor", "{}", file_view())], None) for _ in range(views)]
    return list(to_chat(script)["messages"])


async def test_the_summary_budget_makes_room_for_a_folded_views_names() -> None:
    kit = stage_kit(tool_loop(3), target=0.45, keep_tool_results=1, keep_recent_groups=1)
    assert not kit.ctx.protected_overflow
    await kit.run(SummarizeStage())
    assert kit.ctx.summary is not None and "(4 messages compacted)" in kit.ctx.summary
    assert len(defined(trail(kit.ctx.summary))) >= 40  # (before: 16 a placeholder, 8 an output)
    # When the newest turns alone overflow the target, the names get no room of their own:
    # the summary keeps its floor and the newest turns are not cut further for names.
    tight = stage_kit(tool_loop(3), target=0.2, keep_tool_results=1, keep_recent_groups=1)
    assert tight.ctx.protected_overflow
    await tight.run(SummarizeStage())
    assert tight.ctx.summary is not None
    assert tight.ctx.tokens_of(tight.ctx.summary) < kit.ctx.tokens_of(kit.ctx.summary)


async def test_a_drained_compaction_does_not_cut_the_summary_below_the_policys_target() -> None:
    kit = stage_kit(tool_loop(4), target=0.5, keep_tool_results=1, keep_recent_groups=1)
    await kit.run(SummarizeStage())
    summary = kit.ctx.summary
    assert summary is not None
    policy_target = kit.ctx.target_raw
    kit.ctx.undrained_raw = policy_target
    kit.ctx.target_raw = policy_target // 4  # a drain asked for a quarter of the target
    await kit.run(CutStage())
    assert kit.ctx.summary == summary and kit.ctx.total() <= policy_target
    # without the drain's room, the same target cuts it
    kit2 = stage_kit(tool_loop(4), target=0.5, keep_tool_results=1, keep_recent_groups=1)
    await kit2.run(SummarizeStage())
    kit2.ctx.target_raw = policy_target // 4
    await kit2.run(CutStage())
    assert kit2.ctx.summary != summary


def test_in_a_small_summary_folded_outputs_names_take_three_quarters_a_chats_half() -> None:
    # A compaction whose summary has little room (the newest turns alone fill the target): the
    # names of the tool outputs it folds may take three quarters of it; a chat's trail, half.
    view = file_view()
    tool_span = (
        DroppedMessage("assistant", "Let me look.", calls=("str_replace_editor view",)),
        DroppedMessage("tool", view, tool_name="str_replace_editor"),
    )
    small = build_summary(SummaryRequest(None, tool_span, 240, "gpt-4o"))
    used = estimate_tokens(artifacts_line(trail(small)))
    assert used > 240 // 2 and estimate_tokens(small) <= 240
    chat = tuple(
        DroppedMessage("user", f"see ./pkg/module_{i}/file_{i}.py and helper_{i}_name please")
        for i in range(30)
    )
    chat_summary = build_summary(SummaryRequest(None, chat, 240, "gpt-4o"))
    assert estimate_tokens(artifacts_line(trail(chat_summary))) <= 240 // 2


async def test_a_drained_layer_keeps_room_for_the_names_of_what_it_folds() -> None:
    # A later compaction appends a layer (its budget: its span's need alone). When a drain set
    # the target below the newest turns, the layer's names still get their room as long as the
    # newest turns fit the policy's own target; when they overflow that too, they do not.
    earlier = "[ctxproxy: summary of earlier conversation] Digest, oldest first.\n- user: fix it\n(2 messages compacted)"

    async def layer_trail(drained: bool) -> list[str]:
        kit = stage_kit(tool_loop(3), target=0.45, keep_tool_results=1, keep_recent_groups=1, summary=earlier)
        policy_target = kit.ctx.target_raw
        if drained:
            kit.ctx.undrained_raw = policy_target
        kit.ctx.target_raw = kit.ctx.protected_total() * 9 // 10  # the newest turns overflow it
        kit.ctx.protected_overflow = True
        await kit.run(SummarizeStage())
        summary = kit.ctx.summary
        assert summary is not None and summary.startswith(earlier)  # a layer, appended
        return trail(summary.split("[ctxproxy: summary, continued]")[1])

    assert len(defined(await layer_trail(drained=True))) >= 60  # every name a folded view leaves
    assert len(defined(await layer_trail(drained=False))) <= 45


def test_a_trail_too_long_drops_each_outputs_least_telling_names_first() -> None:
    """Trimmed to its share of a small summary, the trail drops the oldest output's names from
    its end (an output's names are ranked best first): a folded placeholder's error class and
    most used names stay, its rarely used ones go."""
    best = ["UnitConversionError", "self.cols", "i_col"]
    rest = [f"rare_name_{i:02}" for i in range(60)]
    masked = (
        f"[ctxproxy: output of str_replace_editor omitted (5000 tokens); mentions: {', '.join(best + rest)}]"
    )
    span = (
        DroppedMessage("assistant", "Let me look.", calls=("str_replace_editor view",)),
        DroppedMessage("tool", masked, tool_name="str_replace_editor"),
    )
    names = trail(build_summary(SummaryRequest(None, span, 200, "gpt-4o")))
    assert set(best) <= set(names)
    assert "rare_name_59" not in names and len(names) < len(best) + len(rest)
