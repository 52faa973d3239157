"""The prose of the assistant-style conversations: long user requests and generic answers.

A user turn is an opener, the session's fact and distractor clauses mixed among unasked
chit-chat details, and a request for help on one of the ``TOPICS`` (a trip, an email, a
budget…), cut at 250 words. An assistant turn is polite, generic advice on that topic with a
block of concrete specifics (days, dishes, prices, names) new every time, and sometimes a few
words of the user's turn echoed back.
"""

from __future__ import annotations

import random

from tests.bench.memconv import chatter
from tests.bench.memconv import vocab as v

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


def user_turn(rng: random.Random, used: set[str], clauses: list[str], request: str) -> str:
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


def assistant_turn(
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


def echo_back(clause: str) -> str:
    """A few words of a user clause, as an assistant repeats them back ("the move to Cork")."""
    words = clause.split()
    start = max(0, len(words) // 2 - 3)
    return " ".join(words[start : start + 6]).strip(",;()—")
