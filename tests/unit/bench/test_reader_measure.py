"""Whole benchmark runs on one conversation or session: a generated conversation
compressed and scored by every method, the size read against the input budget, and a copied
OpenHands session compressed at its points under the balanced preset.
"""

from __future__ import annotations

from tests.bench.reader.dialogue import Dialogue
from tests.unit.bench.readerkit import DATA


async def test_measure_compresses_and_scores_every_method() -> None:
    from proxy.compress import TokenCounter
    from tests.bench.reader.conversations import METHODS, Cell, measure, targets
    from tests.bench.reader.dialogue import generated

    d = generated("friends", 1)
    d = Dialogue(d.name, d.speakers, d.sessions, d.turns, d.questions[:8])
    counter = TokenCounter()
    await counter.warm()
    cell = Cell()
    await measure(d, "named", "aggressive", counter, cell)
    assert cell.conversations == 1 and 0.1 < cell.size[0] < 0.5
    for method in METHODS:
        assert cell.recall[method].values or cell.recall[method].skipped == 8
    assert cell.attribution.evidence > 0 and cell.attribution.matched > 0
    assert max(cell.recall["ctxproxy"].values) > 0
    assert 0.1 < cell.size_budget[0] and cell.size_budget[0] > cell.size[0]  # the input budget < the window
    assert len(targets({("generated friends", "named"): cell})) == 3


async def test_measure_with_the_output_added_to_the_window_reads_size_against_the_tokens() -> None:
    """``--window tokens+4096``: the input budget is about the conversation's tokens, so both
    size readings agree; the default window leaves a quarter of it to the output."""
    from proxy.compress import TokenCounter
    from tests.bench.reader.conversations import Cell, measure
    from tests.bench.reader.dialogue import generated

    d = generated("friends", 1)
    d = Dialogue(d.name, d.speakers, d.sessions, d.turns, d.questions[:4])
    counter = TokenCounter()
    await counter.warm()
    plain, plus = Cell(), Cell()
    await measure(d, "named", "aggressive", counter, plain)
    await measure(d, "named", "aggressive", counter, plus, output=4096)
    assert plain.size_budget[0] > 1.1 * plain.size[0]
    assert abs(plus.size_budget[0] - plus.size[0]) < 0.05 * plus.size[0]
    assert plus.size[0] > 1.1 * plain.size[0]  # more room reaches the digest


async def test_a_larger_target_and_summary_share_give_the_digest_more_room() -> None:
    from proxy.compress import TokenCounter
    from tests.bench.reader.conversations import Cell, measure
    from tests.bench.reader.dialogue import generated

    d = generated("friends", 1)
    d = Dialogue(d.name, d.speakers, d.sessions, d.turns, d.questions[:4])
    counter = TokenCounter()
    await counter.warm()
    preset, wide = Cell(), Cell()
    await measure(d, "named", "aggressive", counter, preset, output=4096)
    await measure(d, "named", "aggressive", counter, wide, output=4096, target=0.5, share=0.9)
    assert wide.size[0] > 1.3 * preset.size[0]


async def test_real_session_points_compress_valid_under_balanced() -> None:
    from proxy.compress import TokenCounter
    from tests.bench.reader.sessions import load_session, run_session, targets

    counter = TokenCounter()
    await counter.warm()
    points = await run_session(
        "django__django-10973", load_session(DATA / "django__django-10973.json"), ["balanced"], counter
    )
    assert [p.fraction for p in points] == [0.5, 0.75]
    for p in points:
        assert p.size < 1.0 and p.paired and p.task
        assert set(p.baselines) == {"observation masking", "keep-last", "keep-last, filled"}
        assert p.kept <= p.facts
    assert targets(points)[0].startswith("- facts kept at 0.5, balanced:")
