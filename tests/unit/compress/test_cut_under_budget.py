"""What the cut and summarize stages keep under a tight budget: the task and the newest turn
verbatim, the summary's floor, an older recent group dropped whole before the task is cut, and
a cut output's marker naming what the cut part mentioned.
"""

from __future__ import annotations

from proxy.compress.stages import CutStage
from tests.unit.compress.stagekit import stage_kit


async def test_cut_never_cuts_the_task_or_the_newest_turn_when_the_request_fits_its_budget() -> None:
    task = "Your task is to make the minimal changes to non-test files. " + "Details follow here. " * 120
    msgs = [{"role": "system", "content": "x"}, {"role": "user", "content": task}]
    msgs += [{"role": "assistant", "content": "Working on it. " * 30}, {"role": "user", "content": "Go on."}]
    kit = stage_kit(msgs, target=0.8)  # over the target, well within the input budget
    await kit.run(CutStage())
    items = kit.items()
    assert items[1]["content"] == task and items[-1]["content"] == "Go on."


def test_a_cut_output_names_what_the_cut_part_mentioned() -> None:
    from proxy.compress.stages.text_ops import cut_middle

    middle = (
        " ".join(f"filler{i}" for i in range(400))
        + " raise IntegrityError in django.db.models.base and end_idx"
    )
    text = "HEAD " + middle + " " + "x " * 400 + "TAIL"
    out = cut_middle(text, 100, 1200, "read_file output")
    marker = out[out.index("[… ctxproxy cut") :]
    assert "IntegrityError" in marker and "django.db.models.base" in marker and "end_idx" in marker
    assert cut_middle(text, 100, 1200, "summary").count("mentions") == 0  # a summary's cut names nothing


async def test_the_summary_keeps_its_floor_when_the_protected_turns_overflow() -> None:
    from proxy.compress.stages import SummarizeStage
    from proxy.compress.stages.base import SUMMARY_FLOOR

    big = "Details of the task follow here. " * 200
    msgs = [{"role": "user", "content": big}]
    msgs += [{"role": r, "content": " ".join(f"Turn {i}: we talked about lake {j} trips and cello {i * j}." for j in range(20))}
             for i, r in zip(range(30), ["assistant", "user"] * 15, strict=True)]  # fmt: skip
    msgs += [{"role": "user", "content": big}]
    kit = stage_kit(msgs, target=0.3)  # the protected turns alone overflow the target, not the budget
    assert kit.ctx.protected_total() > kit.ctx.target_raw
    assert SummarizeStage().budget(kit.ctx) >= int(SUMMARY_FLOOR * kit.ctx.target_raw)
    await kit.run(SummarizeStage())
    await kit.run(CutStage())
    items = kit.items()
    assert items[0]["content"] == big and items[-1]["content"] == big  # never cut
    assert kit.ctx.summary is not None
    assert kit.ctx.tokens_of(kit.ctx.summary) >= int(SUMMARY_FLOOR * kit.ctx.target_raw) * 0.8


def _call(cid: str, args: str) -> dict[str, object]:
    return {"role": "assistant", "content": None,
            "tool_calls": [{"id": cid, "type": "function", "function": {"name": "edit", "arguments": args}}]}  # fmt: skip


async def test_an_older_recent_group_goes_before_the_task_is_cut_to_fit_the_budget() -> None:
    task = "Fix the parser in src/parse.py. " + "Details of the task follow here. " * 60
    big = '{"old_str": "' + "x = compute(a, b)\\n" * 300 + '"}'  # arguments no stage can cut
    msgs = [{"role": "user", "content": task}, _call("c1", big), {"role": "tool", "tool_call_id": "c1", "content": "ok"},
            _call("c2", '{"path": "src/parse.py"}'), {"role": "tool", "tool_call_id": "c2", "content": "done " * 40}]  # fmt: skip
    kit = stage_kit(msgs, target=0.3)  # the request does not fit its budget; task + newest turn do
    await kit.run(CutStage())
    items = kit.items()
    assert items[0]["content"] == task  # the task stays verbatim
    assert items[-1]["content"] == "done " * 40  # so does the newest output
    assert not any(
        m.get("tool_calls") and m["tool_calls"][0]["id"] == "c1" for m in items
    )  # the older call went
    assert not kit.new_violations()  # with its output: pairs stay valid
