"""Compaction stages, cheapest first. Each runs only while the conversation is over target."""

from __future__ import annotations

from proxy.compress.stages.base import Meter, Slot, Stage, StageContext, SummarySource
from proxy.compress.stages.cut import CutStage
from proxy.compress.stages.dedupe import DedupeStage
from proxy.compress.stages.drop import DropStage
from proxy.compress.stages.mask import MaskStage
from proxy.compress.stages.massgen import MassGenStage
from proxy.compress.stages.summarize import SummarizeStage
from proxy.compress.stages.truncate import TruncateStage


def default_stages() -> list[Stage]:
    """The explicit order: dedupe → truncate → mask → massgen → summarize → drop → cut."""
    return [
        DedupeStage(),
        TruncateStage(),
        MaskStage(),
        MassGenStage(),
        SummarizeStage(),
        DropStage(),
        CutStage(),
    ]


__all__ = [
    "CutStage",
    "DedupeStage",
    "DropStage",
    "MaskStage",
    "MassGenStage",
    "Meter",
    "Slot",
    "Stage",
    "StageContext",
    "SummarizeStage",
    "SummarySource",
    "TruncateStage",
    "default_stages",
]
