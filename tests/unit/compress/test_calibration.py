"""Per-model calibration from provider usage: paired, bounded, robust to outliers (issue 10)."""

from __future__ import annotations

from proxy.compress import TokenCounter
from proxy.compress.tokens import CORRECTION_BOUNDS

MODEL = "my-local-model"  # family factor 1.10 (not an OpenAI name)


def estimate(counter: TokenCounter, raw: int) -> tuple[int, float]:
    """What the proxy would estimate for a body of ``raw`` tokenizer tokens, and its factor."""
    return counter.scale(raw, MODEL), counter.factor(MODEL)


def test_correction_is_the_median_of_recent_samples_not_the_last() -> None:
    counter = TokenCounter()
    for _ in range(20):
        est, f = estimate(counter, 1000)
        counter.calibrate(MODEL, est, int(1000 * 1.10 * 1.2), f)  # provider counts 1.2 × ours
    assert abs(counter.factor(MODEL) / 1.10 - 1.2) < 0.01
    est, f = estimate(counter, 1000)
    counter.calibrate(MODEL, est, int(est * 3.5), f)  # one odd usage (a cached prompt, a bug …)
    assert abs(counter.factor(MODEL) / 1.10 - 1.2) < 0.01


def test_a_few_samples_do_not_move_the_correction_yet() -> None:
    counter = TokenCounter()
    for _ in range(2):
        est, f = estimate(counter, 1000)
        counter.calibrate(MODEL, est, est * 3 // 2, f)
    assert counter.factor(MODEL) == 1.10  # two samples against three 1.0 priors
    est, f = estimate(counter, 1000)
    counter.calibrate(MODEL, est, est * 3 // 2, f)
    assert abs(counter.factor(MODEL) / 1.10 - 1.5) < 0.01


def test_correction_is_bounded_and_absurd_samples_are_ignored() -> None:
    counter = TokenCounter()
    for _ in range(10):
        est, f = estimate(counter, 1000)
        counter.calibrate(MODEL, est, est * 10, f)  # 10×: not a tokenizer difference
    assert counter.factor(MODEL) == 1.10
    for _ in range(10):
        est, f = estimate(counter, 1000)
        counter.calibrate(MODEL, est, int(est * 3.0), f)
    assert counter.factor(MODEL) / 1.10 == CORRECTION_BOUNDS[1]


def test_usage_is_paired_with_the_factor_of_its_own_estimate() -> None:
    """Many requests estimated with one factor, their usage arriving after the factor moved:
    each sample is judged against the factor its estimate used, so the correction settles on
    the true ratio instead of compounding (the old moving average multiplied by the current
    correction and ran away under concurrency)."""
    counter = TokenCounter()
    true = 1.3
    for _ in range(6):
        in_flight = [estimate(counter, 1000 + 100 * i) for i in range(40)]  # 40 concurrent requests
        for i, (est, f) in enumerate(in_flight):
            counter.calibrate(MODEL, est, round((1000 + 100 * i) * 1.10 * true), f)
    assert abs(counter.factor(MODEL) / 1.10 - true) < 0.01


def test_models_are_bounded() -> None:
    counter = TokenCounter()
    counter.max_models = 8
    for i in range(20):
        for _ in range(5):
            counter.calibrate(f"m{i}", 1000, 1500, counter.factor(f"m{i}"))
    assert len(counter._samples) == 8 and len(counter._corrections) <= 8
    assert counter.factor("m19") > counter.factor("m0")  # the oldest were forgotten
