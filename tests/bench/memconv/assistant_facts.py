"""The facts of the assistant-style conversations, written as clauses said in passing.

Each factory (``f_home``, ``f_pet``, ``f_job``…) draws one topic of the user's life and returns
its :class:`facts.Plan` (the events, in order, with the questions they answer: single facts,
updates, changes of mind, numbers, dates), the distractor clauses that share its vocabulary
(a sibling's dog, a colleague's commute), and later mentions of the fact's value that are not
evidence. ``FACTORIES`` lists them all, one plan each per conversation.
"""

from __future__ import annotations

from tests.bench.memconv import vocab as v
from tests.bench.memconv.facts import Draw, Event, Plan, QuestionSpec

STREETS = ["Alder Street", "Hawthorn Road", "Quarry Lane", "Mill Row", "Chapel Terrace", "Orchard Close",
           "Linden Avenue", "Foundry Walk", "Bellfield Road", "Tanner's Lane", "Marsh Gate", "Copse Hill"]  # fmt: skip


def _n(d: Draw, lo: int, hi: int) -> tuple[int, str]:
    return d.number(lo, hi)


# -- facts as clauses: each factory returns the user's plan and distractor clauses ----------------
def f_home(d: Draw, x: str, o: dict[str, str]) -> tuple[Plan, list[str], list[str]]:
    a, b = d.one(v.CITIES), d.one(v.CITIES)
    st, st2 = d.one(STREETS), d.one(STREETS)
    n, nw = _n(d, 10, 45)
    e0 = f"we're still in the little place in {a}, which is fine apart from the noise from the bar downstairs"
    e1 = d.rng.choice([
        f"since moving to the flat on {st} in {b} the commute is only {nw} minutes, which has changed my mornings completely",
        f"now that we've settled in {b} (the flat on {st}, the one with the tiny balcony) I actually walk to work, about {nw} minutes",
    ])  # fmt: skip
    plan = Plan("home", [Event(e0, (a.lower(),)), Event(e1, (b.lower(), st.split()[0].lower()))])
    plan.questions += [
        QuestionSpec(f"Which city does {x} live in now?", b, (1,), "update"),
        QuestionSpec(f"Where did {x} live before the move?", a, (0, 1), "update"),
        QuestionSpec(f"What street is {x}'s flat on?", st, (1,), "single"),
    ]
    dis = [f"my {o['rel']} {o['sib']} is looking at flats on {st2} in {a}, which seems mad to me",
           f"a colleague of mine has a commute of almost {n + 25} minutes each way and somehow never complains"]  # fmt: skip
    return (
        plan,
        dis,
        [f"the walk along {st} is lovely in the mornings", f"{b} has far better bakeries than I expected"],
    )


def f_pet(d: Draw, x: str, o: dict[str, str]) -> tuple[Plan, list[str], list[str]]:
    species, breeds = d.rng.choice(v.PETS[:2])
    b1, b2 = d.rng.sample(breeds, 2)
    name, name2 = d.one(v.PET_NAMES), d.one(v.PET_NAMES)
    day = d.rng.choice(v.WEEKDAYS)
    e0 = d.rng.choice([
        f"we brought home a {b1} {species} last {day}, a rescue we've called {name}, so everything revolves around her right now",
        f"the house has been chaos since last {day} when {name} arrived (a {b1} {species}, from the shelter)",
    ])  # fmt: skip
    trick = d.rng.choice(v.TRICKS)
    e1 = f"{name} has somehow learned to {trick}, so she's clearly smarter than the rest of us"
    plan = Plan(
        "pet", [Event(e0, (name.lower(), b1.split("-")[0])), Event(e1, (name.lower(), trick.split()[-1]))]
    )
    plan.questions += [
        QuestionSpec(f"What is the name of {x}'s {species}?", name, (0,), "single"),
        QuestionSpec(f"What breed is {name}?", b1, (0,), "single"),
        QuestionSpec(f"When did {x} bring {name} home?", f"The {day} before {{date0}}", (0,), "temporal"),
        QuestionSpec(f"What trick did {name} learn?", trick, (1,), "single"),
    ]
    dis = [f"my {o['rel']}'s {species}, a {b2} called {name2}, stayed with us for a weekend and was a nightmare",
           f"{o['sib']} keeps sending me photos of {name2}, her {b2}, wearing a jumper"]  # fmt: skip
    return (
        plan,
        dis,
        [
            f"{name} chewed through my phone charger again",
            f"I take {name} out before breakfast now, rain or shine",
        ],
    )


def f_job(d: Draw, x: str, o: dict[str, str]) -> tuple[Plan, list[str], list[str]]:
    c1, c2, c3 = d.one(v.COMPANIES), d.one(v.COMPANIES), d.one(v.COMPANIES)
    r1, r2 = d.one(v.ROLES), d.one(v.ROLES)
    month = d.rng.choice(v.MONTHS)
    e0 = f"work at {c1} is busy as ever, being a {r1} there mostly means meetings about meetings"
    e1 = d.rng.choice([
        f"I finally left {c1}; I started at {c2} as a {r2} in {month} and I'm still learning where the good coffee is",
        f"the new job is going well so far — {c2} took me on as a {r2} back in {month}, and the team is lovely",
    ])  # fmt: skip
    plan = Plan(
        "job",
        [
            Event(e0, (c1.split()[0].lower(), r1.split()[-1])),
            Event(e1, (c2.split()[0].lower(), r2.split()[-1])),
        ],
    )
    plan.questions += [
        QuestionSpec(f"Which company does {x} work for now?", c2, (1,), "update"),
        QuestionSpec(f"What is {x}'s role at {c2}?", r2, (1,), "single"),
        QuestionSpec(f"When did {x} start the new job?", month, (1,), "temporal"),
    ]
    dis = [f"{o['partner']} had an interview at {c3} last week, for a {r1} role of all things",
           f"a friend just quit {c2 if d.rng.random() < 0.5 else c3} after six years, which made me a bit nervous"]  # fmt: skip
    return (
        plan,
        dis,
        [
            f"the team at {c2} are doing a bake-off next week",
            f"my commute to {c2} gives me time for podcasts",
        ],
    )


def f_trips(d: Draw, x: str, o: dict[str, str]) -> tuple[Plan, list[str], list[str]]:
    p1, p2, p3, p4 = (d.one(v.TRIP_PLACES) for _ in range(4))
    m1, m2, m3 = d.rng.sample(v.MONTHS, 3)
    n, nw = _n(d, 4, 14)
    e0 = f"we're looking at {nw} days in {p1} in {m1}, mainly walking and probably eating too much"
    e1 = d.rng.choice([
        f"we've dropped the {p1} idea — flights were silly — so it's {p2} in {m1} instead",
        f"change of plan for {m1}: not {p1} after all, we booked {p2}, which {o['partner']} is thrilled about",
    ])  # fmt: skip
    e2 = f"{p3} back in {m2} was wonderful, though it rained on every single hike"
    plan = Plan("trip", [Event(e0, (p1.split()[-1].lower(), m1.lower())), Event(e1, (p2.split()[-1].lower(), m1.lower())),
                         Event(e2, (p3.split()[-1].lower(), m2.lower()))])  # fmt: skip
    plan.questions += [
        QuestionSpec(f"Where is {x} going in {m1}?", p2, (0, 1), "change-of-mind"),
        QuestionSpec(f"How many days did {x} first plan for the {m1} trip?", f"{n} days", (0,), "numeric"),
        QuestionSpec(f"Where did {x} go in {m2}?", p3, (2,), "single"),
    ]
    dis = [f"{o['sib']} is off to {p4} in {m3}, and of course she's already sent me the whole itinerary",
           f"{o['partner']} keeps talking about {p4} for next {m2}, but I'm not convinced"]  # fmt: skip
    return (
        plan,
        dis,
        [
            f"I still need to sort out travel insurance for {p2}",
            f"I found my old photos from {p3} the other day",
        ],
    )


def f_family(d: Draw, x: str, o: dict[str, str]) -> tuple[Plan, list[str], list[str]]:
    job, job2, city, city2 = d.one(v.JOBS), d.one(v.JOBS), d.one(v.CITIES), d.one(v.CITIES)
    e0 = f"my {o['rel']} {o['sib']} has just started as a {job} in {city}, so family dinners are all about that"
    plan = Plan("family", [Event(e0, (o["sib"].lower(), job.split()[-1]))])
    plan.questions += [
        QuestionSpec(f"What does {x}'s {o['rel']} {o['sib']} do for work?", job, (0,), "single"),
        QuestionSpec(f"Where does {o['sib']} work?", city, (0,), "single"),
    ]
    dis = [f"my cousin {o['cousin']} is training to be a {job2} in {city2}, which nobody saw coming"]
    return plan, dis, [f"{o['sib']} is loving being a {job}, long shifts and all"]


def f_numbers(d: Draw, x: str, o: dict[str, str]) -> tuple[Plan, list[str], list[str]]:
    n1, w1 = _n(d, 700, 1400)
    n2 = n1 + d.rng.choice([-150, -100, 75, 120])
    k, kw = _n(d, 3, 15)
    e0 = f"the rent is {w1} a month, which eats most of what's left after bills"
    e1 = f"I got the rent wrong last time, by the way — it's actually {n2} a month, not {n1}, I'd misremembered the renewal"
    e2 = f"I managed {kw} kilometres on Sunday without stopping, a new best for me"
    plan = Plan(
        "numbers",
        [Event(e0, ("rent", str(n1))), Event(e1, ("rent", str(n2))), Event(e2, (str(k), "kilometre"))],
    )
    plan.questions += [
        QuestionSpec(f"How much is {x}'s rent?", f"{n2} a month", (0, 1), "update"),
        QuestionSpec(f"How far did {x} run in the personal best?", f"{k} kilometres", (2,), "numeric"),
    ]
    dis = [f"{o['partner']} ran {k + 4} kilometres last month and hasn't stopped mentioning it",
           f"{o['sib']} pays {n1 + 300} for a place half the size of ours"]  # fmt: skip
    return plan, dis, [f"with the rent at {n2} every penny counts"]


def f_hobby(d: Draw, x: str, o: dict[str, str]) -> tuple[Plan, list[str], list[str]]:
    (noun, ing, key), (noun2, _, _) = d.rng.sample(v.HOBBIES, 2)
    n, nw = _n(d, 2, 9)
    e0 = d.rng.choice([
        f"ever since I took up {noun} about {nw} years ago my Thursday evenings are sacred",
        f"I've got {ing} on Thursdays, which I've been doing for {nw} years now, so that evening's out",
    ])  # fmt: skip
    plan = Plan("hobby", [Event(e0, (key,))])
    plan.questions += [
        QuestionSpec(f"What hobby does {x} do on Thursdays?", noun, (0,), "single"),
        QuestionSpec(f"How long has {x} been {ing}?", f"{n} years", (0,), "numeric"),
    ]
    dis = [f"{o['partner']} has been trying {noun2} lately, with mixed results"]
    return plan, dis, [f"my {key} group is putting on a small showcase"]


def f_wedding(d: Draw, x: str, o: dict[str, str]) -> tuple[Plan, list[str], list[str]]:
    name = d.one(v.OTHER_NAMES)
    m1, m2 = d.rng.sample(v.MONTHS, 2)
    d1, d2 = d.rng.randint(2, 28), d.rng.randint(2, 28)
    e0 = f"my oldest friend {name} is getting married on {d1} {m1} and I've somehow agreed to give a speech"
    e1 = f"{name}'s wedding has been moved to {d2} {m2} because the venue double-booked, so the speech has a reprieve"
    plan = Plan("wedding", [Event(e0, (name.lower(), m1.lower())), Event(e1, (name.lower(), m2.lower()))])
    plan.questions.append(QuestionSpec(f"When is {name}'s wedding?", f"{d2} {m2}", (0, 1), "update"))
    dis = [
        f"we've also got {o['cousin']}'s wedding in {d.rng.choice(v.MONTHS)}, which is a lot of weddings for one year"
    ]
    return plan, dis, [f"I've rewritten the speech for {name} four times now"]


def f_allergy(d: Draw, x: str, o: dict[str, str]) -> tuple[Plan, list[str], list[str]]:
    (al, food), (al2, _) = d.rng.sample(v.ALLERGENS, 2)
    e0 = f"I found out the hard way that I'm allergic to {al} (no more {food} for me), and {o['partner']} is vegetarian"
    plan = Plan("allergy", [Event(e0, (al.split()[0],))])
    plan.questions.append(QuestionSpec(f"What is {x} allergic to?", al, (0,), "single"))
    dis = [f"{o['sib']} can't have {al2}, so family meals are a puzzle"]
    return plan, dis, [f"I always have to ask restaurants about {al}"]


def f_car(d: Draw, x: str, o: dict[str, str]) -> tuple[Plan, list[str], list[str]]:
    (c1, c2), (m1, m2) = d.rng.sample(v.CAR_COLOURS, 2), (d.one(v.CAR_MODELS), d.one(v.CAR_MODELS))
    e0 = f"we finally replaced the old car with a second-hand {c1} {m1} two weeks ago, which still smells faintly of dog"
    plan = Plan("car", [Event(e0, (m1.split()[0].lower(), c1.split()[-1]))])
    plan.questions += [
        QuestionSpec(f"What car did {x} buy?", f"{c1} {m1}", (0,), "single"),
        QuestionSpec(f"When did {x} buy the car?", "two weeks before {date0}", (0,), "temporal"),
    ]
    dis = [f"{o['sib']} has just bought a {c2} {m2} and won't stop talking about the mileage"]
    return plan, dis, [f"the {m1} needs new tyres already"]


def f_kid(d: Draw, x: str, o: dict[str, str]) -> tuple[Plan, list[str], list[str]]:
    name = d.one(v.OTHER_NAMES)
    a1, a2 = d.rng.sample(v.KID_ACTIVITIES, 2)
    n, nw = _n(d, 5, 12)
    e0 = f"our daughter {name}, who turns {nw} next month, has begged to start {a1} lessons, so Saturdays are about to change"
    plan = Plan("kid", [Event(e0, (name.lower(), a1))])
    plan.questions += [
        QuestionSpec(f"What lessons is {name} starting?", a1, (0,), "single"),
        QuestionSpec(f"How old is {name} turning?", str(n), (0,), "numeric"),
    ]
    dis = [f"{o['sib']}'s son does {a2} twice a week, and she says it's the best thing they ever did"]
    return plan, dis, [f"{name} has been practising {a1} in the living room every evening"]


FACTORIES = [f_home, f_pet, f_job, f_trips, f_family, f_numbers, f_hobby, f_wedding, f_allergy, f_car, f_kid]
