"""The summary's floor when the protected turns alone overflow the target: an eighth of the
target when they just reach it, growing with how far they pass it but landing the request
halfway to the trigger at most, and half the room they leave under the input budget once they
pass the trigger (every turn compacts then, so cutting the memory of what was dropped buys
nothing); the names of the folded tool outputs fill it.
"""

from __future__ import annotations

from dataclasses import replace

from proxy.compress.digest import HEADER
from proxy.compress.stages import CutStage, SummarizeStage
from proxy.compress.stages.base import SUMMARY_FLOOR
from tests.unit.compress.stagekit import stage_kit

TASK = "Fix the checksum bug in src/store.py. " + "The details of the task follow here. " * 120


def _call(cid: str, path: str) -> dict[str, object]:
    return {"role": "assistant", "content": f"Let me read {path}.",
            "tool_calls": [{"id": cid, "type": "function",
                            "function": {"name": "read_file", "arguments": f'{{"path": "{path}"}}'}}]}  # fmt: skip


def _view(i: int) -> str:
    """A file view whose defined names are its own (``verify_block_3``, ``BlockIndex3``)."""
    lines = [f"def verify_block_{i}(data):", f"    index = BlockIndex{i}(data)", "    return index.check()"]
    lines += [f"# filler line {k} of module {i}" for k in range(60)]
    return "\n".join(f"{n + 1:>6}\t{line}" for n, line in enumerate(lines))


def _session(older: int) -> list[dict[str, object]]:
    msgs: list[dict[str, object]] = [{"role": "system", "content": "You are a coding agent."}]
    msgs.append({"role": "user", "content": TASK})
    for i in range(older + 2):  # and two newest calls
        msgs.append(_call(f"c{i}", f"src/block_{i}.py"))
        msgs.append({"role": "tool", "tool_call_id": f"c{i}", "content": _view(i)})
    return msgs


def test_the_floor_grows_from_an_eighth_of_the_target_to_half_the_room_under_the_budget() -> None:
    kit = stage_kit(_session(6), target=0.5, keep_recent_groups=2)
    ctx = kit.ctx
    keep = ctx.protected_total() + ctx.meter.summary_overhead
    ctx.budget_raw = 2 * keep
    trigger = int(ctx.policy.trigger * ctx.budget_raw)

    ctx.target_raw = keep  # the protected turns just reach the target
    assert ctx.summary_floor() == int(SUMMARY_FLOOR * keep)
    ctx.target_raw = keep - (trigger - keep)  # half-way from the target to the trigger
    half = ctx.summary_floor()
    assert int(SUMMARY_FLOOR * ctx.target_raw) < half < (ctx.budget_raw - keep) // 2
    ctx.undrained_raw = keep  # … when a drain lowered the target: the policy's own is in reach
    assert ctx.summary_floor() == int(SUMMARY_FLOOR * ctx.target_raw)
    ctx.undrained_raw = 0
    ctx.budget_raw = int(keep / (0.96 * ctx.policy.trigger))  # just under the trigger:
    ctx.target_raw = int(ctx.policy.target * ctx.budget_raw)
    trigger = int(ctx.policy.trigger * ctx.budget_raw)
    floor = ctx.summary_floor()  # the request lands halfway to the trigger at most
    assert floor == max(int(SUMMARY_FLOOR * ctx.target_raw), (trigger - keep) // 2)
    assert keep + (trigger - keep) // 2 < trigger
    ctx.budget_raw = int(keep / ctx.policy.trigger * 0.95)  # past the trigger, within the budget
    ctx.target_raw = int(ctx.policy.target * ctx.budget_raw)
    assert ctx.summary_floor() == max(int(SUMMARY_FLOOR * ctx.target_raw), (ctx.budget_raw - keep) // 2)


async def test_past_the_trigger_the_summary_keeps_the_names_of_the_folded_views() -> None:
    # one recent group: the newest, kept whole (an older recent group would be cut first,
    # which brings the protected turns back under the trigger)
    kit = stage_kit(_session(8), target=0.3, keep_recent_groups=1)
    ctx = kit.ctx
    ctx.policy = replace(ctx.policy, trigger=0.7, target=0.3)  # the aggressive preset's
    keep = ctx.protected_total()
    ctx.budget_raw = int(keep / (ctx.policy.trigger + 0.05))  # the protected turns pass the trigger
    ctx.target_raw = int(ctx.policy.target * ctx.budget_raw)
    ctx.measure_overflow()
    assert ctx.protected_overflow and keep > ctx.policy.trigger * ctx.budget_raw
    floor = ctx.summary_floor()
    assert floor > 2 * int(SUMMARY_FLOOR * ctx.target_raw)  # well above an eighth of the target

    await kit.run(SummarizeStage())
    await kit.run(CutStage())
    items = kit.items()
    assert items[1]["content"] == TASK  # the task verbatim
    assert items[-1]["content"] == _view(9)  # and the newest output
    assert kit.ctx.total() <= ctx.budget_raw  # the request fits its budget
    summary = kit.ctx.summary or ""
    assert kit.ctx.tokens_of(summary) >= 0.8 * floor  # the summary fills its floor
    kept = [i for i in range(9) if f"verify_block_{i}" in summary]
    assert kept == list(range(9)), summary  # the names of every folded view are on the trail
    assert not kit.new_violations()


async def test_protected_turns_just_under_the_target_leave_the_summary_its_floor() -> None:
    """The protected turns fit the target but leave less than an eighth of it: the summary
    keeps that eighth (the request lands at most that far above them), not a header and a
    count. With room to spare the request lands on its target."""
    for spare, lands_on_target in ((0.02, False), (0.5, True)):
        kit = stage_kit(_session(8), target=0.3, keep_recent_groups=1)
        ctx = kit.ctx
        keep = ctx.protected_total() + ctx.meter.summary_overhead
        ctx.target_raw = int(keep * (1 + spare))
        ctx.budget_raw = 4 * ctx.target_raw
        ctx.measure_overflow()
        assert not ctx.protected_overflow
        floor = int(SUMMARY_FLOOR * ctx.target_raw)
        await kit.run(SummarizeStage())
        await kit.run(CutStage())
        summary = kit.ctx.summary or ""
        assert kit.items()[1]["content"] == TASK and kit.items()[-1]["content"] == _view(9)
        assert kit.ctx.tokens_of(summary) >= 0.8 * floor, summary
        assert "verify_block_8" in summary  # the newest folded view's names are on the trail
        assert kit.ctx.total() <= max(ctx.target_raw, keep + floor) + 8
        if lands_on_target:
            assert kit.ctx.total() <= ctx.target_raw
        assert not kit.new_violations()


async def test_the_floor_under_the_target_lands_halfway_to_the_trigger_at_most() -> None:
    """A trigger set close to the target (a custom policy): the summary's floor under the
    target stops halfway from the protected turns to the trigger, so the next turn does not
    compact again at once."""
    kit = stage_kit(_session(8), target=0.3, keep_recent_groups=1)
    ctx = kit.ctx
    keep = ctx.protected_total() + ctx.meter.summary_overhead
    ctx.target_raw = int(keep * 1.02)
    ctx.budget_raw = 4 * ctx.target_raw
    trigger = ctx.protected_total() + int(SUMMARY_FLOOR * ctx.target_raw) // 2
    ctx.policy = replace(ctx.policy, trigger=trigger / ctx.budget_raw + 1e-6)
    await kit.run(SummarizeStage())
    await kit.run(CutStage())
    assert ctx.summary is not None
    assert ctx.total() <= ctx.protected_total() + (trigger - ctx.protected_total()) // 2 + 8 < trigger


async def test_a_recent_group_dropped_to_fit_the_budget_leaves_its_names_on_the_trail() -> None:
    """Over the input budget with only the task and the newest turn left, the older recent
    call goes whole (its pair with it); the names its file view held go on the summary's
    trail, as a folded group's do: the agent types them next."""
    earlier = "\n".join(
        [HEADER, "- assistant: read the store module", "Artifacts: src/store.py", "(4 messages compacted)"]
    )
    kit = stage_kit(_session(0), target=0.3, keep_recent_groups=2, summary=earlier)
    ctx = kit.ctx
    older = next(s for s in ctx.slots if "src/block_0.py" in str(s.group.messages[0].raw))
    ctx.budget_raw = ctx.total() - older.tokens + 20  # no room for the older call, even cut
    await kit.run(CutStage())
    items = kit.items()
    assert "ctxproxy" in (ctx.summary or "") and "a recent group dropped to fit the input budget" in ctx.notes
    assert not any("src/block_0.py" in str(m.get("content")) for m in items[1:])  # the older call went
    assert items[-1]["content"] == _view(1) and items[1]["content"] == TASK
    trail = next(line for line in (ctx.summary or "").split("\n") if line.startswith("Artifacts: "))
    assert trail.startswith("Artifacts: src/store.py, ") and "BlockIndex0" in trail, trail
    assert ctx.total() <= ctx.input_budget() and not kit.new_violations()
