"""Seeded generator of long multi-session chats between two named friends.

Each conversation: 18–34 dated sessions of 15–40 turns; two speakers take turns (the first is
the ``user`` role, the second the ``assistant`` role; every message starts with ``Name:``, and
the first message of a session with a header such as ``[Session 3 — 14 March 2024]``). Facts
(:mod:`facts`) are said in ordinary sentences among filler chit-chat; some are updated or
changed in later sessions. Questions have gold answers and the ids of their evidence turns.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from tests.bench.memconv import chatter
from tests.bench.memconv import vocab as v
from tests.bench.memconv.facts import FACTORIES, Draw, Event, Plan


@dataclass(frozen=True, slots=True)
class Turn:
    id: str  # "s3t12": session 3, turn 12 (metadata only: never in the text)
    session: int
    speaker: str
    text: str  # without the speaker label or session header
    message: str  # the message content as sent (label, and header on a session's first turn)


@dataclass(frozen=True, slots=True)
class Question:
    question: str
    answer: str
    evidence: tuple[str, ...]  # turn ids
    kind: str
    speaker: str  # whose fact it is
    keys: tuple[str, ...]  # fact words of the last evidence turn (for attribution)


@dataclass(frozen=True, slots=True)
class Conversation:
    seed: int
    speakers: tuple[str, str]
    dates: tuple[dt.date, ...]  # per session
    turns: tuple[Turn, ...]
    questions: tuple[Question, ...]
    system: str

    def body(self, model: str = "gpt-4o") -> dict[str, Any]:
        """The Chat Completions request: system prompt, then one message per turn."""
        roles = {self.speakers[0]: "user", self.speakers[1]: "assistant"}
        messages = [{"role": "system", "content": self.system}]
        messages += [{"role": roles[t.speaker], "content": t.message} for t in self.turns]
        return {"model": model, "messages": messages}

    def turn(self, turn_id: str) -> Turn:
        return next(t for t in self.turns if t.id == turn_id)


def format_date(date: dt.date) -> str:
    return f"{date.day} {v.MONTHS[date.month - 1]} {date.year}"


_HEADERS = [
    "[Session {n} — {date}]",
    "[{weekday} {date} · session {n}]",
    "Session {n}, {date}:",
]


def _filler(rng: random.Random, other: str, used: set[str]) -> str:
    def pick(pool: list[str]) -> str:
        return rng.choice([x for x in pool if x not in used] or pool)

    parts: list[str] = []
    if rng.random() < 0.4:
        parts.append(rng.choice(v.REACTIONS))
    for _ in range(rng.randint(1, 4)):
        roll = rng.random()
        if roll < 0.4:
            parts.append(chatter.open_sentence(rng))
            continue
        if roll < 0.8:
            parts.append(chatter.sentence(rng, used))
            continue
        if roll < 0.9:
            n = rng.randint(2, 12)
            parts.append(
                rng.choice(v.SPECIFIC_FILLER).format(
                    name=pick(v.OTHER_NAMES),
                    place=pick(v.TRIP_PLACES),
                    city=pick(v.CITIES),
                    weekday=rng.choice(v.WEEKDAYS),
                    nw=v.NUMBER_WORDS[n] if rng.random() < 0.5 else str(n),
                    n2=rng.randint(8, 25),
                    ordinal=rng.choice(v.ORDINALS),
                    pet=rng.choice(v.PETS)[0],
                    hobby=pick([h[2] for h in v.HOBBIES]),
                    food_kind=rng.choice(v.FOOD_KINDS),
                )
            )
            continue
        parts.append(
            rng.choice(v.FILLER_SENTENCES).format(
                food=rng.choice(v.FOODS),
                weekday=rng.choice(v.WEEKDAYS),
                chore=rng.choice(v.CHORES),
                work=rng.choice(v.WORK_BITS),
                show=rng.choice(v.SHOWS),
                weather=rng.choice(v.WEATHERS),
            )
        )
    if rng.random() < 0.2:
        parts.append(rng.choice(v.QUESTIONS_BACK))
    return " ".join(parts)


def _schedule(rng: random.Random, plans: list[tuple[str, Plan]], n_sessions: int) -> dict[int, list[Any]]:
    """Session index → [(owner, plan index, event index)], events of a plan in increasing sessions."""
    by_session: dict[int, list[Any]] = {s: [] for s in range(n_sessions)}
    for p, (owner, plan) in enumerate(plans):
        k = len(plan.events)
        sessions = sorted(rng.sample(range(n_sessions - 1), k))  # the last session holds no fact
        for e, s in enumerate(sessions):
            by_session[s].append((owner, p, e))
    return by_session


def generate(seed: int, n_sessions: int | None = None) -> Conversation:
    rng = random.Random(seed)
    a, b = rng.sample(v.FIRST_NAMES, 2)
    n_sessions = n_sessions or rng.randint(20, 36)
    start = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randint(0, 500))
    dates: list[dt.date] = []
    day = start
    for _ in range(n_sessions):
        dates.append(day)
        day += dt.timedelta(days=rng.randint(3, 21))
    header = rng.choice(_HEADERS)

    draw = Draw(rng)
    draw.used.update({a, b})
    plans: list[tuple[str, Plan]] = []
    for owner, other in ((a, b), (b, a)):
        for factory in rng.sample(FACTORIES, rng.randint(11, 14)):
            try:
                plans.append((owner, factory(draw, owner, other)))
            except IndexError:  # a pool ran dry for this conversation: skip that fact kind
                continue
    schedule = _schedule(rng, plans, n_sessions)

    turns: list[Turn] = []
    located: dict[tuple[int, int], Turn] = {}
    for s in range(n_sessions):
        n_turns = max(rng.randint(15, 40), 8 + 3 * len(schedule[s]))  # room for every event
        first = rng.choice((a, b))
        speakers = [first if i % 2 == 0 else (b if first == a else a) for i in range(n_turns)]
        texts: list[str | None] = [None] * n_turns
        placed: list[tuple[int, int, int]] = []
        for owner, p, e in schedule[s]:
            free = [i for i in range(1, n_turns - 2) if speakers[i] == owner and texts[i] is None]
            free = [i for i in free if texts[i + 1] is None] or free
            i = rng.choice(free)
            event: Event = plans[p][1].events[e]
            texts[i] = event.text
            if event.reaction and texts[i + 1] is None:
                texts[i + 1] = f"{rng.choice(v.REACTIONS)} {event.reaction}"
            placed.append((i, p, e))
        for i in range(n_turns):
            other = b if speakers[i] == a else a
            if texts[i] is not None:
                continue
            if i == 0:
                texts[i] = rng.choice(v.GREETINGS).format(other=other)
            elif i == 1:
                texts[i] = rng.choice(v.GREETING_REPLIES).format(other=other)
            elif i == n_turns - 2:
                texts[i] = rng.choice(v.CLOSINGS)
            elif i == n_turns - 1:
                texts[i] = rng.choice(v.CLOSING_REPLIES)
            else:
                texts[i] = _filler(rng, other, draw.used)
        session_turns: list[Turn] = []
        for i, (who, text) in enumerate(zip(speakers, texts, strict=True)):
            assert text is not None
            message = f"{who}: {text}"
            if i == 0:
                head = header.format(
                    n=s + 1, date=format_date(dates[s]), weekday=v.WEEKDAYS[dates[s].weekday()]
                )
                message = f"{head}\n{message}"
            session_turns.append(Turn(f"s{s + 1}t{i + 1}", s, who, text, message))
        for i, p, e in placed:
            located[(p, e)] = session_turns[i]
        turns += session_turns

    questions: list[Question] = []
    for p, (owner, plan) in enumerate(plans):
        for spec in plan.questions:
            answer = spec.answer
            for e in range(len(plan.events)):
                answer = answer.replace(f"{{date{e}}}", format_date(dates[located[(p, e)].session]))
            evidence = tuple(located[(p, e)].id for e in spec.evidence)
            keys = plan.events[spec.evidence[-1]].keys
            questions.append(Question(spec.question, answer, evidence, spec.kind, owner, keys))
    rng.shuffle(questions)
    asked = questions[: max(1, int(len(questions) * 0.7))]  # the rest stay unasked distractors
    system = (
        f"This is a long-running chat between two friends, {a} and {b}, over many sessions. "
        "Each session starts with its date. Continue the conversation naturally."
    )
    return Conversation(seed, (a, b), tuple(dates), tuple(turns), tuple(asked), system)
