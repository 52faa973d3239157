"""The harder variant: a person talking with an AI assistant over many dated sessions.

Why a second generator: in the friends' chats (:mod:`generate`) every fact is a short sentence of
its own and the filler is short, so a sentence picker keeps all of it. Here, as in real assistant
chats, each user turn is 60–250 words of prose asking for help with something (a trip, an email,
a budget, a recipe…), and the facts are *clauses in passing* among several unasked details
("…since we moved to Cork in the spring the commute is only 20 minutes…"). Distractors share the
facts' vocabulary: the sister also has a dog (with another name), several trips go to different
places in different months, a colleague also has a commute; values change across sessions
(moves, a new job, corrected numbers, a wedding date moved). Assistant turns are long and generic.

Same :class:`generate.Conversation` as the friends' variant, so the same metrics apply: every
message starts with ``Name:`` (the user's first name, or ``Assistant``), a session's first
message with a dated header. Seeded and deterministic; nothing here is tuned on LoCoMo/REALTALK.
"""

from __future__ import annotations

import datetime as dt
import random

from tests.bench.memconv import vocab as v
from tests.bench.memconv.assistant_facts import FACTORIES
from tests.bench.memconv.assistant_turns import TOPICS, assistant_turn, echo_back, user_turn
from tests.bench.memconv.facts import Draw, Plan
from tests.bench.memconv.generate import Conversation, Question, Turn, format_date

ASSISTANT = "Assistant"


def generate_assistant(seed: int, n_sessions: int | None = None) -> Conversation:
    rng = random.Random(10_000 + seed)
    d = Draw(rng)
    x = rng.choice(v.FIRST_NAMES)
    d.used.add(x)
    o = {
        "partner": d.one(v.OTHER_NAMES),
        "sib": d.one(v.OTHER_NAMES),
        "cousin": d.one(v.OTHER_NAMES),
        "rel": "sister",
    }
    n_sessions = n_sessions or rng.randint(16, 24)
    day = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randint(0, 500))
    dates = []
    for _ in range(n_sessions):
        dates.append(day)
        day += dt.timedelta(days=rng.randint(4, 25))

    plans: list[Plan] = []
    distractors: list[str] = []
    mentions: list[tuple[int, str]] = []  # (plan, clause): the fact's value again, in passing, later
    for factory in FACTORIES:
        plan, dis, again = factory(d, x, o)
        mentions += [(len(plans), m) for m in again]
        plans.append(plan)
        distractors += dis
    # events of a plan in increasing sessions (the last session holds none); distractors anywhere
    slots: dict[int, list[tuple[int, int] | str]] = {s: [] for s in range(n_sessions)}
    last: dict[int, int] = {}
    for p, plan in enumerate(plans):
        for e, s in enumerate(sorted(rng.sample(range(n_sessions - 1), len(plan.events)))):
            slots[s].append((p, e))
            last[p] = s
    for p, text in mentions:  # not evidence: after the fact's last event, in a later session
        slots[rng.randrange(min(last[p] + 1, n_sessions - 1), n_sessions)].append(text)
    for text in distractors:
        slots[rng.randrange(n_sessions)].append(text)

    turns: list[Turn] = []
    located: dict[tuple[int, int], Turn] = {}
    for s in range(n_sessions):
        topic, requests, topic_word, advice = rng.choice(TOPICS)
        items = slots[s]
        rng.shuffle(items)
        n_user = max(rng.randint(3, 6), (len(items) + 1) // 2)
        per_turn: list[list[tuple[int, int] | str]] = [[] for _ in range(n_user)]
        for k, item in enumerate(items):
            per_turn[k % n_user if k < n_user else rng.randrange(n_user)].append(item)
        for i in range(n_user):
            clauses = [it if isinstance(it, str) else plans[it[0]].events[it[1]].text for it in per_turn[i]]
            request = (
                rng.choice(requests)
                if i == 0
                else rng.choice([*requests, "What do you think?", "Does that change your suggestion?"])
            )
            user = user_turn(rng, d.used, clauses, request)
            head = f"[Session {s + 1} — {format_date(dates[s])}]\n" if i == 0 else ""
            t = Turn(f"s{s + 1}t{2 * i + 1}", s, x, user, f"{head}{x}: {user}")
            turns.append(t)
            for it in per_turn[i]:
                if not isinstance(it, str):
                    located[it] = t
            echo = echo_back(rng.choice(clauses)) if clauses and rng.random() < 0.6 else None
            reply = assistant_turn(rng, topic, topic_word, advice, echo)
            turns.append(Turn(f"s{s + 1}t{2 * i + 2}", s, ASSISTANT, reply, f"{ASSISTANT}: {reply}"))

    questions: list[Question] = []
    for p, plan in enumerate(plans):
        for spec in plan.questions:
            answer = spec.answer
            for e in range(len(plan.events)):
                answer = answer.replace(f"{{date{e}}}", format_date(dates[located[(p, e)].session]))
            evidence = tuple(located[(p, e)].id for e in spec.evidence)
            questions.append(
                Question(spec.question, answer, evidence, spec.kind, x, plan.events[spec.evidence[-1]].keys)
            )
    rng.shuffle(questions)
    asked = questions[: max(1, int(len(questions) * 0.8))]
    system = (
        f"You are a helpful assistant. You have been chatting with {x} over many sessions; each session "
        "starts with its date. Use what they told you earlier."
    )
    return Conversation(seed, (x, ASSISTANT), tuple(dates), tuple(turns), tuple(asked), system)
