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

from tests.bench.memconv import chatter
from tests.bench.memconv import vocab as v
from tests.bench.memconv.facts import Draw, Event, Plan, QuestionSpec
from tests.bench.memconv.generate import Conversation, Question, Turn, format_date

ASSISTANT = "Assistant"
STREETS = ["Alder Street", "Hawthorn Road", "Quarry Lane", "Mill Row", "Chapel Terrace", "Orchard Close",
           "Linden Avenue", "Foundry Walk", "Bellfield Road", "Tanner's Lane", "Marsh Gate", "Copse Hill"]  # fmt: skip

# -- what the user asks for: (topic, request sentences, assistant topic words) ----------------------
TOPICS = [
    ("trip", ["Could you help me put together a rough day-by-day plan?", "What should I pack, and is there anything I'm forgetting?",
              "Can you suggest a sensible budget split for food, transport and sights?"],
     "itinerary", ["booking accommodation early", "travel insurance", "a rest day in the middle", "offline maps"]),
    ("email", ["Can you help me draft a polite but firm email about it?", "Could you rewrite my message so it sounds less defensive?",
               "What's a good subject line and opening for this?"],
     "email", ["a clear subject line", "one request per paragraph", "a friendly but direct tone", "a concrete deadline"]),
    ("meals", ["Can you suggest a week of dinners that work for all of us?", "Any ideas for quick lunches I can batch cook on Sunday?",
               "Could you give me a shopping list to go with it?"],
     "meal plan", ["batch cooking", "seasonal vegetables", "a flexible leftovers night", "a shopping list by aisle"]),
    ("budget", ["Could you help me make a simple monthly budget?", "How should I think about saving for this without stressing?",
                "Can you sanity-check these numbers for me?"],
     "budget", ["the fifty-thirty-twenty rule", "an emergency fund", "automatic transfers on payday", "tracking for a month first"]),
    ("fitness", ["Can you suggest a training plan that fits around all this?", "How do I build up without getting injured again?",
                 "What would a realistic weekly routine look like?"],
     "training plan", ["progressive overload", "proper rest days", "warming up", "sleep and hydration"]),
    ("gift", ["Any gift ideas? I'm completely stuck.", "What could I get that feels personal but isn't over the top?",
              "Could you help me brainstorm something thoughtful?"],
     "gift", ["an experience rather than an object", "something tied to a shared memory", "a handwritten note", "a sensible price ceiling"]),
    ("work", ["How should I prepare for the conversation with my manager?", "Could you help me structure a short presentation?",
              "What's a good way to prioritise all of this?"],
     "plan", ["writing down the outcome you want", "three key points", "anticipating objections", "a short follow-up note"]),
    ("home", ["What's the best order to tackle these jobs in?", "Can you help me figure out whether to hire someone or do it myself?",
              "Any tips for keeping the place organised?"],
     "project", ["a room-by-room checklist", "getting three quotes", "decluttering first", "a realistic timeline"]),
]  # fmt: skip

OPENERS = [
    "Hi again! Quick one today, though it might turn into a long one.", "Morning. I need a second brain for something.",
    "Hey, hope you can help with this.", "Okay, so I've been going round in circles on this.",
    "Hello! Picking up from last time, sort of.", "Right, bit of context first, then my question.",
    "Hi. Bear with me, this is going to ramble a bit.", "Evening! I've got a slightly odd request.",
]  # fmt: skip
LINKS = [
    "Anyway,",
    "Also,",
    "On top of that,",
    "For context,",
    "Oh, and",
    "The other thing is that",
    "Separately,",
    "Meanwhile",
]

# assistant prose: generic, long, polite, as real assistants are
A_OPEN = [
    "That's a great question, and it's completely understandable to feel a bit overwhelmed by it.",
    "Thanks for the context — that helps a lot. Let's break this down into manageable steps.",
    "Happy to help with this! There are a few ways to approach it, so I'll outline the main options.",
    "It sounds like you have a lot going on, so let's keep this practical and focused.",
    "Good thinking to plan this ahead. Here's a structured way to look at it.",
]  # fmt: skip
A_BODY = [
    "First, it's worth being clear about what you want the {t} to achieve, because that shapes every other decision.",
    "A common approach is to start with {a}, since it removes a lot of uncertainty early on.",
    "Many people find that {a} makes the whole thing feel much less daunting.",
    "You might also consider {a}; it's a small step, but it tends to pay off later.",
    "Keep in mind that there's no single right answer here — what matters most is that the {t} fits your situation and your energy levels.",
    "If you're short on time, focus on the two or three things that make the biggest difference and let the rest go.",
    "It can help to write things down, even roughly, so you can see the whole picture at once.",
    "Try not to aim for perfection on the first attempt; a good-enough {t} that you actually follow beats an ideal one you abandon.",
    "Another option is {a}, which gives you flexibility if plans change.",
    "It's also a good idea to check in with anyone else affected, so there are no surprises.",
    "Be realistic about costs and timing, and leave yourself a buffer for the unexpected.",
    "Once you have a draft, revisit it after a day or two — you'll often spot improvements with fresh eyes.",
]  # fmt: skip
A_ECHO = [
    "Given what you mentioned about {d}, I'd factor that in from the start.",
    "Since you brought up {d}, it's worth keeping that in mind as you plan.",
    "With {d} in the picture, a bit of extra flexibility will help.",
]  # fmt: skip
A_CLOSE = [
    "Would you like me to turn this into a checklist, or go into more detail on any part?",
    "Let me know if you'd like me to adjust any of this — I'm happy to refine it.",
    "I hope that helps! If you share a bit more detail, I can tailor it further.",
    "Does that sound workable? We can tweak it together.",
]  # fmt: skip


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


def _details(rng: random.Random, used: set[str], k: int) -> list[str]:
    """Unasked specifics: the friends' chit-chat sentences, lower-cased into clauses."""
    out = []
    for _ in range(k):
        s = chatter.open_sentence(rng) if rng.random() < 0.8 else chatter.sentence(rng, used)
        out.append(s.rstrip(".!?"))
    return out


def _sentence(clause: str, rng: random.Random) -> str:
    if clause[:1].islower() and rng.random() < 0.35:  # a fact or distractor clause
        clause = f"{rng.choice(LINKS)} {clause}"
    return clause[0].upper() + clause[1:].rstrip(".") + "."


def _user_turn(rng: random.Random, used: set[str], clauses: list[str], request: str) -> str:
    parts = clauses + _details(rng, used, rng.randint(4, 8) if clauses else rng.randint(5, 9))
    rng.shuffle(parts)
    text = " ".join([rng.choice(OPENERS)] + [_sentence(p, rng) for p in parts] + [request])
    words = text.split()
    return " ".join(words[:250]) if len(words) > 250 else text


def _specifics(rng: random.Random, topic: str) -> list[str]:
    """The concrete part of an assistant answer: days, dishes, amounts, names — new every time,
    as real answers are (an itinerary names towns and venues; a meal plan, dishes and timings)."""
    k = rng.randint(7, 12)
    n = lambda lo, hi: rng.randint(lo, hi)  # noqa: E731
    price = lambda lo, hi: f"£{rng.randint(lo, hi):,}.{rng.choice(['00', '50', '99', '45'])}"  # noqa: E731
    clock = lambda: f"{rng.randint(6, 21)}:{rng.choice(['05', '15', '20', '30', '40', '45', '50'])}"  # noqa: E731
    km = lambda: f"{rng.randint(20, 190) / 10:.1f} km"  # noqa: E731
    c = chatter
    rows = {
        "trip": lambda i: (
            f"Day {i}: a morning walk from {c.open_town(rng)} to {c.open_town(rng)} ({km()}, first train at {clock()}), lunch at {c.open_venue(rng)} for about {price(12, 60)}, and an early night."
        ),
        "meals": lambda i: (
            f"{v.WEEKDAYS[i % 7]}: {c.open_dish(rng)[2:]}, about {n(15, 70)} minutes, roughly {price(4, 30)} (the version from {c.open_venue(rng)} in {c.open_town(rng)}), with extra {rng.choice(c.INGREDIENTS)} on the side."
        ),
        "budget": lambda i: (
            f"{rng.choice(['Groceries', 'Transport', 'Eating out', 'Subscriptions', 'Savings pot', 'Gifts', 'Utilities'])}: around {price(20, 1900)} a month (compare {c.made_up(rng, c._NAME_ENDS)} and {c.made_up(rng, c._NAME_ENDS)}), reviewed every {n(2, 8)} weeks."
        ),
        "fitness": lambda i: (
            f"{v.WEEKDAYS[i % 7]}: {n(20, 60)} minutes of {rng.choice(['easy running', 'intervals', 'mobility work', 'cycling', 'strength circuits', 'swimming'])} (the loop past {c.open_town(rng)} works), then {n(5, 15)} minutes of stretching."
        ),
        "gift": lambda i: (
            f"Option {i}: {c.open_title(rng)} by {c.open_name(rng)}, or a voucher for {c.open_venue(rng)} (roughly {price(15, 240)})"
        ),
        "email": lambda i: (
            f"Paragraph {i}: mention the {rng.choice(['invoice', 'booking', 'deposit', 'meeting', 'repair', 'refund'])} from {n(2, 28)} {rng.choice(v.MONTHS)} and ask {c.open_name(rng)} for a reply within {n(3, 10)} days."
        ),
        "work": lambda i: (
            f"Point {i}: the {rng.choice(['roadmap', 'handover', 'rota', 'hiring plan', 'quarterly report'])} with {c.open_name(rng)} and {c.open_name(rng)}, about {n(5, 20)} minutes at {clock()}, then the {c.open_town(rng)} office."
        ),
        "home": lambda i: (
            f"Step {i}: the {rng.choice(['hallway', 'loft', 'shed', 'spare room', 'kitchen cupboards', 'bathroom tiles'])}, about {n(2, 12)} hours; {c.open_name(rng)}'s firm quoted {price(80, 4900)}, available from {clock()}."
        ),
    }
    tips = [
        lambda: f"{c.open_name(rng)} swears by it.",
        lambda: f"There's a good one near {c.open_town(rng)}.",
        lambda: f"{c.open_venue(rng).replace('a ', 'A ', 1)} does a version of this.",
        lambda: f"A reader called {c.open_name(rng)} suggested the same.",
    ]
    return [rows[topic](i + 1) + (" " + rng.choice(tips)() if rng.random() < 0.6 else "") for i in range(k)]


def _assistant_turn(
    rng: random.Random, topic: str, topic_word: str, advice: list[str], echo: str | None
) -> str:
    body = rng.sample(A_BODY, rng.randint(1, 3))
    lines = [rng.choice(A_OPEN)]
    for b in body:
        lines.append(b.format(t=topic_word, a=rng.choice(advice)))
    if echo:
        lines.insert(2, rng.choice(A_ECHO).format(d=echo))
    lines.insert(rng.randint(2, len(lines)), " ".join(_specifics(rng, topic)))
    lines.append(rng.choice(A_CLOSE))
    return " ".join(lines)


def _echo(clause: str) -> str:
    """A few words of a user clause, as an assistant repeats them back ("the move to Cork")."""
    words = clause.split()
    start = max(0, len(words) // 2 - 3)
    return " ".join(words[start : start + 6]).strip(",;()—")


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
            user = _user_turn(rng, d.used, clauses, request)
            head = f"[Session {s + 1} — {format_date(dates[s])}]\n" if i == 0 else ""
            t = Turn(f"s{s + 1}t{2 * i + 1}", s, x, user, f"{head}{x}: {user}")
            turns.append(t)
            for it in per_turn[i]:
                if not isinstance(it, str):
                    located[it] = t
            echo = _echo(rng.choice(clauses)) if clauses and rng.random() < 0.6 else None
            reply = _assistant_turn(rng, topic, topic_word, advice, echo)
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
