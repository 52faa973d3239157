"""Word pools for the natural-conversation generator: names, places, hobbies, filler chit-chat.

Everything here is ordinary English; nothing is shaped to be easy to find with a regex.
"""

from __future__ import annotations

FIRST_NAMES = [
    "Maya", "Tom", "Priya", "Daniel", "Sofia", "Marcus", "Elena", "Jonah", "Aisha", "Liam",
    "Hannah", "Mateo", "Grace", "Omar", "Chloe", "Felix", "Nadia", "Ethan", "Rosa", "Caleb",
    "Ingrid", "Samir", "Leah", "Victor", "Yuki", "Gabriel", "Tessa", "Hugo", "Amara", "Rowan",
]  # fmt: skip
OTHER_NAMES = [
    "Jess", "Ollie", "Martha", "Kofi", "Bea", "Arjun", "Lottie", "Declan", "Mei", "Rafael",
    "Imogen", "Tariq", "Nell", "Bruno", "Saoirse", "Emil", "Hattie", "Kwame", "Luisa", "Fergus",
    "Anouk", "Dmitri", "Poppy", "Idris", "Clara", "Wes", "Zainab", "Otto", "Freya", "Ezra",
]  # fmt: skip
CITIES = [
    "Denver", "Bristol", "Lisbon", "Portland", "Leeds", "Austin", "Glasgow", "Montreal", "Valencia",
    "Edinburgh", "Boulder", "Seattle", "Nottingham", "Halifax", "Porto", "Sheffield", "Tucson",
    "Cork", "Vancouver", "Norwich", "Pittsburgh", "Utrecht", "Brighton", "Asheville", "Galway",
]  # fmt: skip
TRIP_PLACES = [
    "the Dolomites", "Crete", "Kyoto", "the Scottish Highlands", "Iceland", "Sicily", "Patagonia",
    "the Lake District", "Vermont", "Croatia", "Morocco", "the Azores", "Tasmania", "Norway",
    "Yosemite", "Cornwall", "Sardinia", "Slovenia", "Vietnam", "Nova Scotia",
]  # fmt: skip
LANDMARKS = [
    "the old canal", "the big park", "the harbour", "the train station", "the university",
    "the covered market", "the river path", "the cathedral", "the botanical gardens", "the stadium",
]  # fmt: skip
HOBBIES = [  # (noun phrase, -ing phrase, key word)
    ("the cello", "playing the cello", "cello"),
    ("pottery", "doing pottery", "pottery"),
    ("bouldering", "bouldering", "bouldering"),
    ("watercolour painting", "painting watercolours", "watercolour"),
    ("salsa dancing", "dancing salsa", "salsa"),
    ("beekeeping", "beekeeping", "beekeeping"),
    ("woodworking", "doing woodworking", "woodworking"),
    ("the ukulele", "playing the ukulele", "ukulele"),
    ("birdwatching", "birdwatching", "birdwatching"),
    ("fencing", "fencing", "fencing"),
    ("knitting", "knitting", "knitting"),
    ("rowing", "rowing", "rowing"),
    ("calligraphy", "practising calligraphy", "calligraphy"),
    ("sourdough baking", "baking sourdough", "sourdough"),
    ("chess", "playing chess", "chess"),
    ("archery", "doing archery", "archery"),
]  # fmt: skip
PETS = [  # (species, breeds)
    ("dog", ["beagle", "greyhound", "labrador", "corgi", "whippet", "spaniel", "terrier"]),
    ("cat", ["tabby", "siamese", "ragdoll", "tortoiseshell", "bengal"]),
    ("rabbit", ["lop-eared", "dwarf", "lionhead"]),
    ("parrot", ["cockatiel", "budgie", "lovebird"]),
]  # fmt: skip
PET_NAMES = [
    "Biscuit", "Pickle", "Juniper", "Mochi", "Waffles", "Pepper", "Clementine", "Noodle", "Ziggy",
    "Hazel", "Basil", "Marmalade", "Otis", "Pumpkin", "Tofu", "Willow", "Gizmo", "Sprout",
]  # fmt: skip
TRICKS = [
    "roll over",
    "give a paw",
    "fetch the newspaper",
    "ring a little bell",
    "play dead",
    "open the door",
]
COMPANIES = [
    "Harbor and Finch", "Bluestem Analytics", "Corvid Labs", "Meadowlark Health", "Tidewater Logistics",
    "Northwind Studios", "Copperleaf Bank", "Brightwell Energy", "Foxglove Games", "Silverline Freight",
    "Redwood Robotics", "Larkspur Media", "Ironbridge Insurance", "Juniper Learning",
]  # fmt: skip
ROLES = ["team lead", "senior designer", "project manager", "head of research", "principal engineer",
         "operations director", "product owner", "staff nurse", "sales manager"]  # fmt: skip
JOBS = ["paramedic", "landscape architect", "sound engineer", "primary school teacher", "veterinarian",
        "marine biologist", "pastry chef", "airline pilot", "physiotherapist", "tattoo artist",
        "firefighter", "court reporter", "carpenter", "pharmacist"]  # fmt: skip
RELATIVES = [("sister", "her"), ("brother", "his"), ("cousin", "their"), ("aunt", "her"), ("uncle", "his")]
BOOK_ADJ = ["Silent", "Hollow", "Crimson", "Last", "Winter", "Paper", "Glass", "Salt", "Distant", "Burning"]
BOOK_NOUN = ["Orchard", "Lighthouse", "Cartographer", "Harvest", "Archive", "Tide", "Garden", "Engine",
             "Kingdom", "Meridian", "Ferry", "Observatory"]  # fmt: skip
AUTHOR_SURNAMES = ["Okafor", "Lindqvist", "Moreau", "Castellanos", "Whitcombe", "Nakamura", "Brennan",
                   "Adeyemi", "Halloran", "Petrescu", "Vance", "Delacroix"]  # fmt: skip
ALLERGENS = [("shellfish", "prawn curry"), ("peanuts", "satay"), ("sesame", "hummus"),
             ("kiwi", "fruit salad"), ("mustard", "honey mustard dressing"), ("walnuts", "banana bread")]  # fmt: skip
CAR_COLOURS = ["dark green", "silver", "navy", "bright orange", "white", "burgundy", "sky blue"]
CAR_MODELS = ["Volvo estate", "Honda Civic", "Subaru Outback", "Mini Cooper", "Toyota Prius",
              "Skoda Octavia", "Ford Fiesta", "Kia Niro", "Mazda hatchback"]  # fmt: skip
KID_ACTIVITIES = ["swimming", "violin", "judo", "ballet", "piano", "gymnastics", "drama", "tennis"]
HABITS = ["smoking", "coffee", "sugar in my tea", "energy drinks", "late-night doomscrolling", "vaping"]
ORGS = ["the food bank", "the animal shelter", "the community garden", "the children's hospital",
        "the library literacy programme", "the river clean-up group", "the homeless shelter"]  # fmt: skip
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]  # fmt: skip
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
                "eighteen", "nineteen", "twenty"]  # fmt: skip

# -- filler ------------------------------------------------------------------------------------
GREETINGS = [
    "Hey {other}! How's your week going?",
    "Hi {other}, long time no chat. What's new?",
    "Morning {other}! Did you survive the week?",
    "Hey you. Sorry I went quiet, it's been a lot. How are things?",
    "{other}! I was just thinking about you. How have you been?",
    "Hello hello. Got a few minutes to catch up?",
    "Hey {other}, finally a quiet evening. How's everything?",
]
GREETING_REPLIES = [
    "Hey {other}! Pretty good, a bit tired but can't complain. You?",
    "Oh hi! Busy as always, but good. What about you?",
    "Ha, barely survived. It's good to hear from you though.",
    "Not bad at all! I've got a cup of tea and nowhere to be, so perfect timing.",
    "Hi {other}! Honestly a mixed bag, but better now. How are you doing?",
]
CLOSINGS = [
    "Anyway, I should get going. Talk soon!",
    "Okay, dinner's ready, I have to run. Speak later!",
    "I'm fading, time for bed. Great catching up!",
    "Right, I'd better get back to it. Bye for now!",
    "Let's pick this up another day. Take care!",
]
CLOSING_REPLIES = ["Bye! Take care.", "Talk soon, have a good night!", "Sounds good, see you!",
                   "Later! Say hi to everyone for me.", "Night night!"]  # fmt: skip
REACTIONS = [
    "Haha, no way.", "Oh wow.", "That's so good to hear.", "Ugh, I know the feeling.", "Honestly, same.",
    "Oh nice!", "Wait, really?", "I love that.", "That sounds exhausting.", "Ha, classic.", "Fair enough.",
    "Oh no, that's rough.", "Totally.", "Yeah, I get that.", "Hmm, interesting.", "That made me laugh.",
]  # fmt: skip
FOODS = ["lasagne", "pad thai", "a mushroom risotto", "fish tacos", "a big pot of chilli", "ramen",
         "shakshuka", "a roast chicken", "dumplings", "a lentil soup", "pizza from the place downstairs",
         "a Greek salad", "pancakes", "a curry"]  # fmt: skip
SHOWS = ["that baking competition", "the new detective series", "a nature documentary about octopuses",
         "an old sitcom", "the football highlights", "a true crime podcast", "that dating show everyone hates",
         "a documentary about volcanoes", "a cooking show from Japan", "the space drama"]  # fmt: skip
WEATHERS = ["it rained all day", "it was weirdly warm", "the wind was ridiculous", "it was grey and drizzly",
            "we finally got some sun", "it was freezing", "there was a huge thunderstorm"]  # fmt: skip
CHORES = ["sorting out the garage", "doing the laundry mountain", "fixing the leaky tap", "cleaning the oven",
          "painting the hallway", "reorganising the kitchen cupboards", "clearing out old emails",
          "assembling a bookshelf"]  # fmt: skip
WORK_BITS = ["back-to-back meetings", "a deadline moved up by a week", "a new manager who loves spreadsheets",
             "a printer that hates me", "a team offsite", "a long quarterly review", "covering for a colleague",
             "a client who keeps changing their mind"]  # fmt: skip
FILLER_SENTENCES = [
    "We made {food} last night and there's enough left for the whole week.",
    "I spent most of {weekday} {chore}, which was about as fun as it sounds.",
    "Work has been {work}, so my brain is mush.",
    "We watched {show} and I can't decide if I liked it.",
    "Over here {weather}, so I stayed in with a blanket.",
    "I keep meaning to call my mum back but the days just disappear.",
    "My neighbour's kid has started learning the trumpet, so that's my evenings sorted.",
    "I tried a new coffee place near work and it was fine, nothing special.",
    "The bus was late again, I swear it's a conspiracy.",
    "I finally cleared my inbox and then it filled right back up.",
    "Someone at work brought in cake, so at least there was that.",
    "I've been sleeping badly, too much screen time probably.",
    "We had friends over on {weekday} and stayed up way too late talking.",
    "I found an old photo album while {chore}, so that took an hour.",
    "Honestly {weather} and my mood matched it.",
    "I ordered {food} on {weekday} because I could not face cooking.",
    "There's a new bakery on the corner and I have zero self-control.",
    "My phone screen cracked again, third time this year.",
    "I started {show} because you mentioned it ages ago.",
    "The week was mostly {work}, nothing exciting.",
    "I went for a long walk on {weekday} just to get out of the house.",
    "We're thinking about repainting the living room but can't agree on a colour.",
    "I've been trying to drink more water, with mixed results.",
    "The supermarket had run out of everything I wanted, typical.",
]
QUESTIONS_BACK = [
    "How about you?", "What have you been up to?", "Anything fun planned?", "How's work treating you?",
    "Did you end up watching anything good?", "How's the family?", "What did you do at the weekend?",
]  # fmt: skip
# Filler with incidental specifics (names, places, numbers, days) that no question asks about:
# a summary cannot keep "the rare words" and expect to hit the facts.
SPECIFIC_FILLER = [
    "My colleague {name} just got back from {place} and would not stop talking about the food.",
    "We spent {nw} hours in a furniture shop on {weekday} and came home with a lamp.",
    "{name} from upstairs lent us a ladder, which was nice of them.",
    "There's a documentary about {city} on tonight that I want to catch.",
    "I bumped into {name} at the supermarket, we ended up chatting for ages.",
    "The quiz team came {ordinal} out of {n2} teams, which is our best ever.",
    "My cousin is thinking about visiting {place} next year, she keeps sending me links.",
    "Our neighbour's {pet} got out again and ran around the street for {nw} minutes.",
    "I saw a flyer for a {hobby} class at the community centre, tempting.",
    "{name} recommended a podcast about {city}, it's surprisingly good.",
    "The train to {city} was cancelled so the whole office worked from home on {weekday}.",
    "I've walked {n2} thousand steps a day this week, my watch is very pleased with me.",
    "We tried that new {food_kind} place on {weekday}, {nw} out of ten.",
    "Somebody at work is organising a trip to {place}, but it's way out of my budget.",
]
FOOD_KINDS = ["Ethiopian", "Georgian", "Korean barbecue", "Peruvian", "Lebanese", "vegan burger",
              "dim sum", "Sri Lankan", "Basque tapas", "Sichuan"]  # fmt: skip
ORDINALS = ["second", "third", "fourth", "fifth", "sixth"]
