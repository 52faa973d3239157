"""Per-model calibration from provider usage: paired, bounded, robust to outliers."""

from __future__ import annotations

import pytest

from proxy.compress import TokenCounter
from proxy.compress.tokens import CALIBRATION_PRIOR, CORRECTION_BOUNDS, Calibration, family_factor
from proxy.compress.tokens.calibration import correction_of

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
    calibration = Calibration(max_models=8)
    for i in range(20):
        for _ in range(5):
            calibration.record(f"m{i}", 1000, 1500, calibration.factor(f"m{i}"))
    assert len(calibration) == 8
    assert calibration.correction("m0") == 1.0  # the oldest were forgotten
    assert calibration.correction("m19") > 1.3


def test_the_counter_scales_with_its_calibration() -> None:
    """The provider counts 1500 for what the tokenizer counts 1000: after enough usage the
    counter's estimate of that body is 1500, however its factor moved on the way."""
    counter = TokenCounter()
    for _ in range(CALIBRATION_PRIOR):
        est, f = estimate(counter, 1000)
        counter.calibrate(MODEL, est, 1500, f)
    assert counter.factor(MODEL) == counter.calibration.factor(MODEL)
    assert counter.scale(1000, MODEL) == pytest.approx(1500, abs=1)


@pytest.mark.parametrize(
    ("samples", "correction"),
    [
        ([], 1.0),
        ([1.5, 1.5], 1.0),  # two samples against three 1.0 priors
        ([1.5, 1.5, 1.5], 1.5),
        ([1.2] * 10 + [3.9], 1.2),  # the median ignores one outlier
        ([3.0] * 9, CORRECTION_BOUNDS[1]),
        ([0.3] * 9, CORRECTION_BOUNDS[0]),
    ],
)
def test_correction_is_a_padded_bounded_median(samples: list[float], correction: float) -> None:
    assert correction_of(samples) == pytest.approx(correction)


def test_sample_is_relative_to_the_family_factor() -> None:
    """A sample measures the tokenizer difference beyond the family factor, so a Claude model
    whose provider counts exactly 1.20 × cl100k needs no correction."""
    calibration = Calibration()
    for _ in range(CALIBRATION_PRIOR):
        calibration.record("claude-sonnet-4-5", 1200, 1200)
    assert calibration.correction("claude-sonnet-4-5") == pytest.approx(1.0)
    assert family_factor("claude-sonnet-4-5") == 1.20


@pytest.mark.parametrize(
    ("model", "factor"),
    [
        ("gpt-4o", 1.0),
        ("openai/anything", 1.0),
        ("o3-mini", 1.0),
        ("claude-sonnet-4-5", 1.20),
        ("anthropic/claude-3-haiku", 1.20),
        ("gemini-2.5-pro", 1.05),
        ("meta-llama/llama-3.1-70b", 1.10),
        ("unknown-model", 1.10),
    ],
)
def test_family_factors(model: str, factor: float) -> None:
    assert family_factor(model) == factor


def test_zero_and_absurd_usage_are_ignored() -> None:
    calibration = Calibration()
    for est, actual in ((0, 100), (100, 0), (100, 10), (100, 1000)):
        for _ in range(CALIBRATION_PRIOR):
            calibration.record(MODEL, est, actual)
    assert len(calibration) == 0 and calibration.correction(MODEL) == 1.0
