"""Chit-chat between the facts: varied sentences about small, specific, unasked things.

Real chats are full of one-off specifics (a colleague's name, a restaurant, a score); filler
built from a handful of fixed sentences would repeat, and a summarizer could drop it for free.
Here each sentence is assembled from a template and several independent pools, so most filler
sentences occur once, and they name people, places, numbers and days just as the facts do.
"""

from __future__ import annotations

import random

from tests.bench.memconv import vocab as v

PEOPLE_REFS = [
    "my colleague {name}", "our neighbour {name}", "{name} from the gym", "my old flatmate {name}",
    "{name} at work", "my friend {name}", "{name} from book club", "my manager {name}",
    "{name} from the allotment", "my dentist, a guy called {name},", "{name} from choir",
]  # fmt: skip
EXTRA_NAMES = [
    "Gwen", "Lorcan", "Pilar", "Tobias", "Nkechi", "Ursula", "Benedict", "Ayesha", "Jasper", "Maren",
    "Cyrus", "Delphine", "Henrik", "Ines", "Matthias", "Noor", "Percy", "Quentin", "Rhian", "Soren",
    "Thea", "Ulrich", "Viola", "Wendell", "Xander", "Yara", "Zoltan", "Agnes", "Bastian", "Cosima",
]  # fmt: skip
VENUES = [
    "the Thai place on the high street", "a pub quiz at the Crown", "the climbing wall", "the farmers' market",
    "a tiny jazz bar", "the new cinema", "the garden centre", "my aunt's allotment", "the outdoor pool",
    "a pop-up ramen bar", "the flea market", "the retro arcade", "a board game café", "the canal boat hire",
    "an escape room", "the little Portuguese bakery", "the indoor go-kart track", "the model railway fair",
]  # fmt: skip
ACTIVITIES = [
    "had lunch", "watched a terrible film", "played three rounds of darts", "got completely lost",
    "queued for forty minutes", "ate far too many churros", "argued about football", "tried karaoke",
    "did a jigsaw", "looked at sofas we can't afford", "took a pottery taster", "sat in the sun",
    "bought a cactus", "made a very wobbly shelf", "did a 5k fun run", "learned to juggle, badly",
]  # fmt: skip
COMMENTS = [
    "which was more fun than it sounds", "and I regret nothing", "never again", "ten out of ten would repeat",
    "my feet still hurt", "it was chaos", "honestly a highlight of the month", "the kids loved it",
    "somehow it took all afternoon", "I laughed until I cried", "it was freezing the whole time",
    "the queue was worth it", "we got soaked on the way back", "I'm still thinking about the dessert",
]  # fmt: skip
GOSSIP = [
    "is training for a triathlon", "just got engaged", "bought a campervan", "adopted two goats",
    "is learning Portuguese", "shaved his head for charity", "quit her job to open a café",
    "won a meat raffle", "is building a treehouse", "has started making candles to sell",
    "got a tattoo of a lobster", "ran into a famous chef at the station", "is moving to a houseboat",
    "entered a chilli eating contest", "fostered a litter of kittens", "started a podcast about trains",
]  # fmt: skip
UPCOMING = [
    "the dentist", "my annual review", "the car's MOT", "a job interview for a friend's reference",
    "the school play", "a wedding fitting", "the boiler service", "a long-haul flight",
    "my first driving lesson in years", "the office party", "a hospital check-up", "the quiz final",
]  # fmt: skip
FEELINGS = ["nervous", "weirdly excited", "not thrilled", "pretty relaxed", "a bit anxious", "oddly calm"]
WHENS = [
    "next Tuesday", "on Friday", "at the weekend", "in a fortnight", "tomorrow morning",
    "later this month", "on Thursday afternoon", "before the holidays",
]  # fmt: skip
DISHES = [
    "a butternut squash soup", "lamb tagine", "a vegetable lasagne", "fish pie", "black bean burritos",
    "a lemon drizzle cake", "chicken katsu", "mushroom stroganoff", "a huge paella", "potato gratin",
    "spinach and feta pie", "sticky toffee pudding", "a Thai green curry", "homemade gnocchi",
]  # fmt: skip
DISH_NOTES = [
    "it came out surprisingly well", "I burnt the bottom but nobody noticed", "too much garlic, if that's possible",
    "the recipe lied about the timing", "we ate it straight from the pan", "there's loads left over",
]  # fmt: skip
MEDIA = [
    "a podcast about shipwrecks", "a series about a chess prodigy", "a documentary on deep sea fish",
    "an audiobook about the history of salt", "a Korean thriller", "an old Hitchcock film",
    "a show about people restoring furniture", "a comedy special", "a mini-series set in Iceland",
    "a cooking competition with terrifying judges", "a biography of a jazz pianist",
]  # fmt: skip
OPINIONS = [
    "is better than the reviews say", "dragged in the middle", "has the best soundtrack",
    "made me want to travel", "was a bit too clever for its own good", "had me hooked from episode one",
    "is oddly relaxing", "ended on a cliffhanger, rude",
]  # fmt: skip
SMALL_NEWS = [
    "the boiler broke again and the engineer can't come until {when}",
    "we found a leak under the sink, so that's the evening gone",
    "the washing machine made a noise like a jet engine",
    "someone reversed into our wall and left a very polite note",
    "I've been rearranging the spare room for the third time",
    "the heating bill came in and I had to sit down",
    "a fox has been digging up the lawn every night",
    "the internet went down for two days and I read a whole book",
    "my laptop died in the middle of a presentation",
    "our street is having a bake sale {when}",
]  # fmt: skip
TEMPLATES = [
    "{when_past} I {activity} with {person} at {venue}, {comment}.",
    "{person_cap} {gossip}, {aside}",
    "I'm {feeling} about {upcoming} {when}.",
    "We made {dish} on {weekday}, {dish_note}.",
    "I've been into {media} lately, it {opinion}.",
    "Small news: {small_news}.",
    "Have you ever been to {venue}? {person_cap} keeps recommending it.",
    "{when_past} {weather}, so we {activity} at {venue} instead.",
    "{person_cap} asked after you the other day, by the way.",
    "I finally tried {venue}, {comment}.",
    "{person_cap} and I {activity} at {venue} {when_past_lower}, {comment}.",
    "Did I tell you {person} {gossip}? {aside_cap}",
    "I'm thinking of cooking {dish} for {person} {when}, wish me luck.",
    "{person_cap} says {media} {opinion}, so I might give it a go.",
    "{when_past} was mostly {small_news}, then we {activity}.",
    "We're meant to be going to {venue} with {person} {when}, if the weather holds.",
    "I keep thinking about {upcoming} {when}, I'm {feeling} about it.",
    "Random question: would you rather {activity_bare} or go to {venue}?",
]
ACTIVITY_BARE = ["spend a day at a spa", "learn to sail", "do a silent retreat", "go to a cheese festival",
                 "take a night train", "join a choir", "try paddleboarding", "go on a bread course"]  # fmt: skip
WHEN_PAST = ["On Saturday", "Last night", "Yesterday", "On Sunday afternoon", "Earlier this week",
             "On Wednesday evening", "This morning", "Over the weekend"]  # fmt: skip
ASIDES = ["which I did not see coming.", "good for them honestly.", "don't ask me why.",
          "we're all a bit jealous.", "classic.", "I can't keep up.", "the group chat is going wild."]  # fmt: skip


def sentence(rng: random.Random, used: set[str]) -> str:
    """One varied filler sentence; names and places already used by facts are avoided."""
    names = [n for n in v.OTHER_NAMES + EXTRA_NAMES if n not in used]
    person = rng.choice(PEOPLE_REFS).format(name=rng.choice(names))
    text = rng.choice(TEMPLATES).format(
        when_past=(past := rng.choice(WHEN_PAST)),
        when_past_lower=past[0].lower() + past[1:],
        activity_bare=rng.choice(ACTIVITY_BARE),
        aside_cap=rng.choice(ASIDES).capitalize(),
        activity=rng.choice(ACTIVITIES),
        person=person,
        person_cap=person[0].upper() + person[1:],
        venue=rng.choice(VENUES),
        comment=rng.choice(COMMENTS),
        gossip=rng.choice(GOSSIP),
        aside=rng.choice(ASIDES),
        feeling=rng.choice(FEELINGS),
        upcoming=rng.choice(UPCOMING),
        when=rng.choice(WHENS),
        dish=rng.choice(DISHES),
        dish_note=rng.choice(DISH_NOTES),
        weekday=rng.choice(v.WEEKDAYS),
        media=rng.choice(MEDIA),
        opinion=rng.choice(OPINIONS),
        small_news=rng.choice(SMALL_NEWS).format(when=rng.choice(WHENS)),
        weather=rng.choice(v.WEATHERS),
    )
    return text


# -- open-ended specifics ---------------------------------------------------------------------------
# Real chats keep introducing new names, places and things until the end; so must the filler, or
# "new words" would single out the facts. These pools combine into thousands of distinct values.
ADJ = """amber brass copper crooked dusty electric emerald fickle gentle golden hidden hungry idle
jolly lazy little lucky marble merry midnight misty nimble olive painted quiet rusty scarlet
silver sleepy snowy sunny tangled thirsty velvet wandering wild windy wooden yellow""".split()
NOUN = """anchor badger barrel beacon bramble button candle compass cricket daisy dragon ember
falcon feather fiddle fox gull harbour hedgehog heron kettle lantern magpie meadow mill otter
owl pebble pigeon pine puffin raven robin saddle spoon stag thimble thistle walrus wren""".split()
SURNAMES = """Abbott Achebe Bakker Barros Chen Costa Dufresne Eriksen Farouk Fischer Gallagher
Haddad Ibsen Jovanovic Kaur Kowalski Lindgren Lopez Mbeki Moreno Novak Oduya Park Quinn Rahman
Rossi Sato Schmidt Tanaka Usman Varga Walsh Yilmaz Zhou""".split()
TOWNS = """Aberdeen Alicante Antwerp Arles Bath Bergen Bilbao Bologna Bruges Cadiz Cardiff Chester
Cologne Dijon Dundee Durham Exeter Faro Florence Ghent Gothenburg Granada Hamburg Harrogate Inverness
Kendal Krakow Lille Ljubljana Lucca Lyon Malaga Malmo Mostar Nantes Naples Oxford Padua Perth
Plymouth Riga Salzburg Seville Siena Split Tallinn Toulouse Trieste Turin Verona Whitby York
Zadar Zurich""".split()
INGREDIENTS = """aubergine beetroot butternut cardamom chickpea chorizo coconut courgette fennel
halloumi harissa leek lentil mackerel miso pistachio plum pomegranate saffron sage tahini
tamarind walnut""".split()
DISH_TYPES = "pie tart stew curry risotto salad soup tagine bake crumble pasta flatbread dumplings".split()


_ONSETS = "b br c ch cr d dr f g gr h k l m n p pr r s sh st t th tr v w".split()
_VOWELS = "a e i o u ai ea oo".split()
_CODAS = "n l r m nd rk st ll th ck ss".split()
_PLACE_ENDS = "ton by wick ford ham thorpe mouth stead field bridge combe well bury".split()
_NAME_ENDS = "son ley well ford man er ard ett ington sby".split()


def made_up(rng: random.Random, ends: list[str]) -> str:
    """A new English-looking proper noun (``Brenford``, ``Shailwick``): one-off specifics."""
    return (rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) + rng.choice(ends)).capitalize()


def open_name(rng: random.Random) -> str:
    surname = made_up(rng, _NAME_ENDS) if rng.random() < 0.6 else rng.choice(SURNAMES)
    return f"{rng.choice(v.OTHER_NAMES + EXTRA_NAMES)} {surname}"


def open_town(rng: random.Random) -> str:
    return made_up(rng, _PLACE_ENDS) if rng.random() < 0.6 else rng.choice(TOWNS)


def open_venue(rng: random.Random) -> str:
    kind = rng.choice(["pub", "café", "bookshop", "bistro", "gallery", "market stall", "tearoom", "bakery"])
    if rng.random() < 0.5:
        return f"a {kind} called {made_up(rng, _NAME_ENDS)}'s"
    return f"a {kind} called the {rng.choice(ADJ).capitalize()} {rng.choice(NOUN).capitalize()}"


def open_dish(rng: random.Random) -> str:
    return f"a {rng.choice(INGREDIENTS)} and {rng.choice(INGREDIENTS)} {rng.choice(DISH_TYPES)}"


def open_title(rng: random.Random) -> str:
    return f"'{rng.choice(ADJ).capitalize()} {rng.choice(NOUN).capitalize()}s'"


OPEN_TEMPLATES = [
    "{when_past} we ended up at {venue} in {town}, {comment}.",
    "{name} from my old job is moving to {town} to open {venue2}.",
    "I made {dish} on {weekday}, {dish_note}.",
    "Have you heard of a band called {title}? {name} played them all the way to {town}.",
    "{name} lent me a novel called {title}, it {opinion}.",
    "We had {dish} at {venue} {when_past_lower}, {comment}.",
    "My cousin {name} just got back from {town} with {n} jars of {ingredient} jam.",
    "{name} and {name2} are doing a sponsored walk from {town} to {town2} {when}.",
    "There's a {ingredient} festival in {town} {when}, {n} stalls apparently.",
    "Work sent me to {town} for {n} days, the hotel was next to {venue}.",
]


def open_sentence(rng: random.Random) -> str:
    """A sentence full of new specifics (names, towns, venues, dishes, titles, numbers)."""
    past = rng.choice(WHEN_PAST)
    return rng.choice(OPEN_TEMPLATES).format(
        when_past=past,
        when_past_lower=past[0].lower() + past[1:],
        venue=open_venue(rng),
        venue2=open_venue(rng),
        town=open_town(rng),
        town2=open_town(rng),
        comment=rng.choice(COMMENTS),
        name=open_name(rng),
        name2=open_name(rng),
        dish=open_dish(rng),
        dish_note=rng.choice(DISH_NOTES),
        weekday=rng.choice(v.WEEKDAYS),
        title=open_title(rng),
        opinion=rng.choice(OPINIONS),
        n=rng.randint(2, 40),
        ingredient=rng.choice(INGREDIENTS),
        when=rng.choice(WHENS),
    )
