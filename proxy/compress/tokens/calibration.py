"""How far a tiktoken count is from what a provider charges: a factor per model family,
corrected per model from the ``usage`` the provider reports."""

from __future__ import annotations

import threading
from collections import deque

# Approximate tokenizer ratios against o200k (before calibration). First fitted against cl100k;
# carried over as factor × cl100k ÷ o200k, which is 0.98–1.04 on English prose, code, JSON and
# agent sessions (0.99 pooled): within rounding, so kept, rounded up (an over-count is the
# cheaper error). Text in other scripts counts 1.15–3.4× fewer o200k than cl100k tokens; there
# the per-model correction below has to learn the rest.
_FAMILY_FACTORS: tuple[tuple[tuple[str, ...], float], ...] = (
    (("claude", "anthropic"), 1.20),
    (("gemini", "gemma"), 1.05),
    (("llama", "meta-llama", "qwen", "deepseek", "mistral", "mixtral", "grok", "glm", "kimi"), 1.10),
)
_OPENAI_PREFIXES = ("gpt-", "o1", "o3", "o4", "chatgpt", "text-embedding", "davinci", "codex")
_DEFAULT_FACTOR = 1.10
CALIBRATION_SAMPLES = 31  # recent usage samples per model; the correction is their median
CALIBRATION_PRIOR = 5  # fewer samples than this: padded with 1.0 (no correction)
CORRECTION_BOUNDS = (0.5, 2.0)  # the per-model correction never leaves this range
SAMPLE_BOUNDS = (0.25, 4.0)  # a usage this far from the estimate is not a tokenizer difference


def family_factor(model: str) -> float:
    """1.0 for OpenAI's own models (counted exactly), else the family's approximate ratio."""
    name = model.lower()
    base = name.rsplit("/", 1)[-1]
    if base.startswith(_OPENAI_PREFIXES) or name.startswith("openai/"):
        return 1.0
    for needles, factor in _FAMILY_FACTORS:
        if any(n in name for n in needles):
            return factor
    return _DEFAULT_FACTOR


def correction_of(samples: list[float]) -> float:
    """The correction a window of samples gives: their median, padded with 1.0 up to
    ``CALIBRATION_PRIOR`` samples, clamped to ``CORRECTION_BOUNDS``."""
    values = [*samples, *([1.0] * (CALIBRATION_PRIOR - len(samples)))]
    lo, hi = CORRECTION_BOUNDS
    return min(hi, max(lo, _median(values)))


def _median(values: list[float]) -> float:
    """``statistics.median`` (the module is not imported at start for this one function)."""
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


class Calibration:
    """Per-model corrections of the family factor. Thread-safe; at most ``max_models`` models
    (model names come from clients), the oldest forgotten first."""

    def __init__(self, max_models: int = 1024) -> None:
        self.max_models = max_models
        self._corrections: dict[str, float] = {}
        self._samples: dict[str, deque[float]] = {}  # per model: recent samples
        self._families: dict[str, float] = {}  # per model: family_factor (a pure function of the name)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """Models with samples."""
        return len(self._samples)

    def correction(self, model: str) -> float:
        return self._corrections.get(model, 1.0)

    def factor(self, model: str) -> float:
        """What a raw count of ``model`` is multiplied by: family factor × learned correction."""
        family = self._families.get(model)
        if family is None:  # a request reads it several times: the name is matched once
            if len(self._families) >= self.max_models:
                self._families.clear()
            family = self._families[model] = family_factor(model)
        return family * self._corrections.get(model, 1.0)

    def record(self, model: str, estimated: int, actual: int, factor: float | None = None) -> None:
        """Learn from the ``usage`` a provider reported for one request.

        ``estimated`` is the counter's estimate of *that same request* and ``factor`` the
        factor it was scaled with (:meth:`factor` at the time; carried on the request's own
        state, because concurrent requests of the model move the correction in between). The
        sample is the correction that would have made that estimate exact; the correction is
        :func:`correction_of` the model's recent samples, so one odd usage moves nothing.
        """
        if estimated <= 0 or actual <= 0:
            return
        used = self.factor(model) if factor is None else factor
        sample = actual / estimated * used / family_factor(model)
        if not SAMPLE_BOUNDS[0] <= sample <= SAMPLE_BOUNDS[1]:
            return  # not a tokenizer difference (a truncated body, a cache-only count …)
        with self._lock:
            window = self._samples.get(model)
            if window is None:
                if len(self._samples) >= self.max_models:
                    oldest = next(iter(self._samples))
                    del self._samples[oldest]
                    self._corrections.pop(oldest, None)
                window = self._samples[model] = deque(maxlen=CALIBRATION_SAMPLES)
            window.append(sample)
            self._corrections[model] = correction_of(list(window))
