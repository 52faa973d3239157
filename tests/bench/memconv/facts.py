"""Fact plans: what a speaker says about their life across sessions, and what we ask about it.

A plan is one or more *events* (turns the owner says, in increasing sessions: an update or a
change of mind comes later than the first statement) and *questions* whose gold answers refer to
those events. Temporal answers name the date of the event's session (``{date0}`` is filled in
once sessions are dated).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.bench.memconv import vocab as v


@dataclass(frozen=True, slots=True)
class Event:
    text: str  # what the owner says (the speaker label is added when rendered)
    keys: tuple[str, ...]  # words that carry the fact (all must be in a unit that "holds" it)
    reaction: str = ""  # the other speaker's reply, if any ("" → filler)


@dataclass(frozen=True, slots=True)
class QuestionSpec:
    question: str
    answer: str  # may hold {dateN}: the session date of event N
    evidence: tuple[int, ...]  # indices into the plan's events
    kind: str  # single | temporal | update | change-of-mind | numeric


@dataclass(slots=True)
class Plan:
    kind: str
    events: list[Event]
    questions: list[QuestionSpec] = field(default_factory=list)


class Draw:
    """Draws from the pools without repeating a value within one conversation."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def one(self, pool: list[str]) -> str:
        fresh = [x for x in pool if x not in self.used]
        pick = self.rng.choice(fresh or pool)
        self.used.add(pick)
        return pick

    def number(self, lo: int, hi: int) -> tuple[int, str]:
        """A number and how it is written: in words or in digits, at random."""
        n = self.rng.randint(lo, hi)
        if n < len(v.NUMBER_WORDS) and self.rng.random() < 0.6:
            return n, v.NUMBER_WORDS[n]
        return n, str(n)


Factory = Callable[[Draw, str, str], Plan]  # (draw, owner's name, other's name) → plan


def hobby(d: Draw, x: str, y: str) -> Plan:
    noun, ing, key = d.rng.choice([h for h in v.HOBBIES if h[2] not in d.used])
    d.used.add(key)
    n, nw = d.number(2, 9)
    text = d.rng.choice(
        [
            f"Did I ever tell you I took up {noun} about {nw} years ago? It's the best part of my week.",
            f"I've been {ing} for {nw} years now, I go every Thursday evening and it keeps me sane.",
            f"Funny thing, I started {ing} {nw} years ago because of a friend, and now I'm hooked.",
        ]
    )
    plan = Plan("hobby", [Event(text, (key,), f"I had no idea you were into {key}! That's brilliant.")])
    plan.questions.append(QuestionSpec(f"What hobby did {x} take up?", noun, (0,), "single"))
    if d.rng.random() < 0.5:
        plan.questions.append(QuestionSpec(f"How long has {x} been {ing}?", f"{n} years", (0,), "numeric"))
    return plan


def pet(d: Draw, x: str, y: str) -> Plan:
    species, breeds = d.rng.choice(v.PETS)
    breed, name, day = d.rng.choice(breeds), d.one(v.PET_NAMES), d.rng.choice(v.WEEKDAYS)
    intro = d.rng.choice(
        [
            f"Guess what, we adopted a little {breed} {species} last {day}! We named her {name}.",
            f"So we have a new family member: a {breed} {species} called {name}. We picked her up last {day}.",
        ]
    )
    trick = d.rng.choice(v.TRICKS)
    follow = f"{name} learned to {trick} this week, I'm ridiculously proud of her."
    plan = Plan(
        "pet",
        [
            Event(intro, (name.lower(), breed), f"Oh my goodness, {name}! You have to send me pictures."),
            Event(follow, (name.lower(), trick.split()[-1]), "Ha, she's smarter than me then."),
        ],
    )
    plan.questions += [
        QuestionSpec(f"What is the name of {x}'s {species}?", name, (0,), "single"),
        QuestionSpec(f"When did {x} adopt {name}?", f"The {day} before {{date0}}", (0,), "temporal"),
        QuestionSpec(f"What trick did {name} learn?", trick, (1,), "single"),
    ]
    return plan


def move(d: Draw, x: str, y: str) -> Plan:
    a, b, mark = d.one(v.CITIES), d.one(v.CITIES), d.rng.choice(v.LANDMARKS)
    _, nw = d.number(2, 12)
    first = f"I've lived in {a} for {nw} years now, right by {mark}, and I still love the neighbourhood."
    second = d.rng.choice(
        [
            f"Big news: we finally moved to {b}! Still living out of boxes, but the new flat is lovely.",
            f"We did it, we left {a} and moved to {b}. The commute is longer but the garden makes up for it.",
        ]
    )
    plan = Plan(
        "move",
        [Event(first, (a.lower(),)), Event(second, (b.lower(),), f"Congratulations! {b} suits you.")],
    )
    plan.questions += [
        QuestionSpec(f"Where does {x} live now?", b, (1,), "update"),
        QuestionSpec(f"Where did {x} live before moving?", a, (0, 1), "update"),
    ]
    return plan


def job_offer(d: Draw, x: str, y: str) -> Plan:
    company, city, current = d.one(v.COMPANIES), d.one(v.CITIES), d.one(v.COMPANIES)
    role = d.one(v.ROLES)
    first = f"I got a job offer from {company} in {city}, and I think I'm going to take it."
    second = d.rng.choice(
        [
            f"I was going to take the job in {city} but decided against it. {current} offered me a {role} role instead, so I'm staying.",
            f"Update on the {city} thing: I turned it down. I'm staying at {current} as a {role}, they matched the money.",
        ]
    )
    plan = Plan(
        "job",
        [
            Event(
                first, (company.split()[0].lower(), city.lower()), f"Wow, {city}! That would be a big change."
            ),
            Event(second, (city.lower(), role.split()[-1]), "Honestly, I think that's the right call."),
        ],
    )
    plan.questions += [
        QuestionSpec(f"Did {x} take the job in {city}?", f"No, stayed at {current}", (1,), "change-of-mind"),
        QuestionSpec(f"What role does {x} have at {current}?", role, (1,), "update"),
    ]
    return plan


def sibling(d: Draw, x: str, y: str) -> Plan:
    rel, _ = d.rng.choice(v.RELATIVES)
    name, job, city = d.one(v.OTHER_NAMES), d.one(v.JOBS), d.one(v.CITIES)
    text = f"My {rel} {name} just started working as a {job} in {city}, we're all so proud."
    plan = Plan(
        "relative", [Event(text, (name.lower(), job.split()[-1]), f"Good for {name}! That's a big deal.")]
    )
    plan.questions += [
        QuestionSpec(f"What does {x}'s {rel} {name} do for work?", job, (0,), "single"),
        QuestionSpec(f"Where does {name} work?", city, (0,), "single"),
    ]
    return plan


def trip(d: Draw, x: str, y: str) -> Plan:
    place, month = d.one(v.TRIP_PLACES), d.rng.choice(v.MONTHS)
    n, nw = d.number(4, 14)
    first = f"We're planning {nw} days in {place} in {month}, mostly hiking and eating too much."
    key0 = place.split()[-1].lower()
    if d.rng.random() < 0.5:
        plan = Plan("trip", [Event(first, (key0,), f"{place} in {month} sounds perfect.")])
        plan.questions += [
            QuestionSpec(f"Where is {x} going in {month}?", place, (0,), "single"),
            QuestionSpec(f"How many days is {x}'s {month} trip?", f"{n} days", (0,), "numeric"),
        ]
        return plan
    other = d.one(v.TRIP_PLACES)
    second = f"Change of plans for {month}: we're skipping {place} and going to {other} instead, flights were cheaper."
    plan = Plan(
        "trip",
        [
            Event(first, (key0,), f"{place} in {month} sounds perfect."),
            Event(second, (other.split()[-1].lower(),), f"Ooh, {other} is a good swap."),
        ],
    )
    plan.questions.append(QuestionSpec(f"Where is {x} going in {month}?", other, (1,), "change-of-mind"))
    return plan


_NUMERIC = [  # (statement with {nw}, question with {x}, answer with {n}, key, lo, hi)
    ("I ran {nw} kilometres on Saturday, a new personal best!", "How far did {x} run in the personal best?",
     "{n} kilometres", "kilometre", 8, 30),
    ("Our garden has {nw} apple trees now, we planted the last ones in the spring.",
     "How many apple trees are in {x}'s garden?", "{n} apple trees", "apple", 3, 15),
    ("We've got {nw} chickens now, which means far too many eggs.", "How many chickens does {x} have?",
     "{n} chickens", "chicken", 3, 12),
    ("My commute is {nw} minutes each way since they moved the office.", "How long is {x}'s commute?",
     "{n} minutes", "commute", 15, 80),
    ("I paid {nw} pounds for a second-hand road bike, bargain.", "How much did {x} pay for the road bike?",
     "{n} pounds", "bike", 90, 600),
    ("We read {nw} books in the book club this year, I counted.", "How many books did {x}'s book club read?",
     "{n} books", "club", 6, 20),
]  # fmt: skip


def numeric(d: Draw, x: str, y: str) -> Plan:
    stmt, question, answer, key, lo, hi = d.rng.choice([t for t in _NUMERIC if t[3] not in d.used])
    d.used.add(key)
    n, nw = d.number(lo, hi)
    plan = Plan("numeric", [Event(stmt.format(nw=nw), (key, str(n) if nw == str(n) else nw))])
    plan.questions.append(QuestionSpec(question.format(x=x), answer.format(n=n), (0,), "numeric"))
    return plan


def wedding(d: Draw, x: str, y: str) -> Plan:
    rel, _ = d.rng.choice(v.RELATIVES)
    name, month, day = d.one(v.OTHER_NAMES), d.rng.choice(v.MONTHS), d.rng.randint(1, 28)
    suffix = "th" if 10 <= day <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    text = f"My {rel} {name} is getting married on the {day}{suffix} of {month}, and I'm giving a speech."
    plan = Plan("wedding", [Event(text, (name.lower(), "married"), "A speech! You'll be great.")])
    plan.questions.append(QuestionSpec(f"When is {name}'s wedding?", f"{day} {month}", (0,), "single"))
    return plan


def book(d: Draw, x: str, y: str) -> Plan:
    title = f"The {d.one(v.BOOK_ADJ)} {d.one(v.BOOK_NOUN)}"
    author = f"{d.one(v.OTHER_NAMES)} {d.one(v.AUTHOR_SURNAMES)}"
    text = f"I just finished {title} by {author}, I stayed up until two to get through the ending."
    keys = tuple(w.lower() for w in title.split()[1:])
    plan = Plan("book", [Event(text, keys, "Ooh, add it to my list.")])
    plan.questions.append(QuestionSpec(f"Which book did {x} finish reading?", title, (0,), "single"))
    if d.rng.random() < 0.5:
        plan.questions.append(QuestionSpec(f"Who wrote {title}?", author, (0,), "single"))
    return plan


def allergy(d: Draw, x: str, y: str) -> Plan:
    allergen, food = d.rng.choice(v.ALLERGENS)
    day = d.rng.choice(v.WEEKDAYS)
    text = f"So it turns out I'm allergic to {allergen}. Found out the hard way last {day}, no more {food} for me."
    plan = Plan("allergy", [Event(text, (allergen,), "Yikes, glad you're okay though.")])
    plan.questions += [
        QuestionSpec(f"What is {x} allergic to?", allergen, (0,), "single"),
        QuestionSpec(
            f"When did {x} find out about the allergy?", f"The {day} before {{date0}}", (0,), "temporal"
        ),
    ]
    return plan


def car(d: Draw, x: str, y: str) -> Plan:
    colour, model = d.rng.choice(v.CAR_COLOURS), d.one(v.CAR_MODELS)
    text = f"We finally bought a car two weeks ago, a used {colour} {model}. It smells faintly of dog."
    plan = Plan(
        "car", [Event(text, (model.split()[0].lower(), colour.split()[-1]), "Ha, the dog smell is free.")]
    )
    plan.questions += [
        QuestionSpec(f"What car did {x} buy?", f"{colour} {model}", (0,), "single"),
        QuestionSpec(f"When did {x} buy the car?", "two weeks before {date0}", (0,), "temporal"),
    ]
    return plan


def kid(d: Draw, x: str, y: str) -> Plan:
    name, activity = d.one(v.OTHER_NAMES), d.one(v.KID_ACTIVITIES)
    n, nw = d.number(5, 12)
    text = f"{name} is starting {activity} lessons next month, can you believe she's {nw} already?"
    plan = Plan("kid", [Event(text, (name.lower(), activity), f"{nw}! Where does the time go.")])
    plan.questions += [
        QuestionSpec(f"What lessons is {name} starting?", activity, (0,), "single"),
        QuestionSpec(f"How old is {name}?", str(n), (0,), "numeric"),
    ]
    return plan


def quit_habit(d: Draw, x: str, y: str) -> Plan:
    habit, month = d.one(v.HABITS), d.rng.choice(v.MONTHS)
    text = f"I quit {habit} back in {month} and honestly I haven't missed it at all."
    key = habit.split()[0]
    plan = Plan("quit", [Event(text, (key, month.lower()), "That's impressive, seriously.")])
    plan.questions += [
        QuestionSpec(f"What did {x} give up?", habit, (0,), "single"),
        QuestionSpec(f"When did {x} quit {habit}?", month, (0,), "temporal"),
    ]
    return plan


def volunteer(d: Draw, x: str, y: str) -> Plan:
    org, day = d.one(v.ORGS), d.rng.choice(v.WEEKDAYS)
    text = f"I've started volunteering at {org} every {day} morning, it's the best thing I've done all year."
    keys = (org.split()[-1].lower(), day.lower())
    plan = Plan("volunteer", [Event(text, keys, "That's lovely. What do you do there?")])
    plan.questions += [
        QuestionSpec(f"Where does {x} volunteer?", org, (0,), "single"),
        QuestionSpec(f"On which day does {x} volunteer?", day, (0,), "single"),
    ]
    return plan


FACTORIES: list[Factory] = [
    hobby, pet, move, job_offer, sibling, trip, numeric, numeric, wedding, book, allergy, car, kid,
    quit_habit, volunteer,
]  # fmt: skip
