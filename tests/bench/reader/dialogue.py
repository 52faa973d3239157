"""A neutral two-speaker conversation: turns with speaker, session and time; questions with gold
answers and evidence turn ids. Loaded from LoCoMo (dev data) or built from the generated styles
(:mod:`tests.bench.memconv`), then rendered by :mod:`render` in the ways chat clients send it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

from tests.bench.memconv.assistant import generate_assistant
from tests.bench.memconv.generate import Conversation, generate


@dataclass(frozen=True, slots=True)
class Turn:
    id: str  # "D1:3" (LoCoMo) or "s1t3" (generated)
    speaker: str
    session: int  # 1-based
    when: dt.datetime  # the turn's time: the session start plus a minute a turn (same day)
    text: str
    caption: str = ""  # a photo the turn shared, as LoCoMo describes it ("a photo of a dog …")


@dataclass(frozen=True, slots=True)
class Question:
    question: str
    answer: str
    evidence: tuple[str, ...]
    category: str  # LoCoMo 1–4 as "1".."4"; the generated kinds by name


@dataclass(frozen=True, slots=True)
class Dialogue:
    name: str
    speakers: tuple[str, str]
    sessions: tuple[dt.datetime, ...]  # start of each session (index = session − 1)
    turns: tuple[Turn, ...]
    questions: tuple[Question, ...]

    @property
    def by_id(self) -> dict[str, Turn]:
        return {t.id: t for t in self.turns}


def turn_time(start: dt.datetime, i: int) -> dt.datetime:
    """A minute a turn after the session start, never past the session's day."""
    end = start.replace(hour=23, minute=59, second=0)
    return min(start + dt.timedelta(minutes=i), end)


_LOCOMO_TIME = "%I:%M %p on %d %B, %Y"
_EVIDENCE = re.compile(r"D\d+:\d+")


def parse_locomo_time(text: str) -> dt.datetime:
    """``1:56 pm on 8 May, 2023`` as LoCoMo writes a session's date and time."""
    return dt.datetime.strptime(text.strip(), _LOCOMO_TIME)


def from_locomo(sample: dict[str, object]) -> Dialogue:
    conv = sample["conversation"]
    assert isinstance(conv, dict)
    speakers = (str(conv["speaker_a"]), str(conv["speaker_b"]))
    n = 1
    sessions: list[dt.datetime] = []
    turns: list[Turn] = []
    while f"session_{n}" in conv:
        start = parse_locomo_time(str(conv[f"session_{n}_date_time"]))
        sessions.append(start)
        for i, raw in enumerate(conv[f"session_{n}"]):
            when = turn_time(start, i)
            turns.append(
                Turn(raw["dia_id"], raw["speaker"], n, when, raw["text"], raw.get("blip_caption", ""))
            )
        n += 1
    questions: list[Question] = []
    qa = sample["qa"]
    assert isinstance(qa, list)
    for q in qa:
        if q["category"] == 5 or "answer" not in q:  # adversarial: no answer in the conversation
            continue
        evidence = tuple(e for raw in q.get("evidence", []) for e in _EVIDENCE.findall(str(raw)))
        questions.append(Question(q["question"], str(q["answer"]), evidence, str(q["category"])))
    return Dialogue(
        str(sample.get("sample_id", "locomo")), speakers, tuple(sessions), tuple(turns), tuple(questions)
    )


def load_locomo(path: Path) -> list[Dialogue]:
    return [from_locomo(sample) for sample in json.loads(path.read_text())]


def from_generated(conv: Conversation, style: str) -> Dialogue:
    """A generated conversation (friends or assistant style) as a neutral dialogue."""
    sessions = tuple(dt.datetime.combine(d, dt.time(19, 30)) for d in conv.dates)
    index: dict[int, int] = {}
    turns: list[Turn] = []
    for t in conv.turns:
        i = index.get(t.session, 0)
        index[t.session] = i + 1
        turns.append(Turn(t.id, t.speaker, t.session + 1, turn_time(sessions[t.session], i), t.text))
    questions = tuple(Question(q.question, q.answer, q.evidence, q.kind) for q in conv.questions)
    return Dialogue(f"{style}-{conv.seed}", conv.speakers, sessions, tuple(turns), questions)


def generated(style: str, seed: int) -> Dialogue:
    maker = {"friends": generate, "assistant": generate_assistant}[style]
    return from_generated(maker(seed), style)
