"""A small multi-session chat between two friends (written by hand for the digest's unit tests).

Facts in ordinary words (a hobby, a move, a change of mind, numbers in words and digits), a
session header with a date at the start of each session, ``Name:`` on every message.
"""

from __future__ import annotations

from proxy.compress import DroppedMessage

SESSION_1 = (
    DroppedMessage(
        "user",
        "[Session 1 — 3 March 2024]\nDana: Hey Sam! How have you been? Did I ever tell you I took up the cello about four years ago? Honestly it's the best part of my week.",
    ),
    DroppedMessage(
        "assistant",
        "Sam: Oh wow, I had no idea! That's brilliant. I stopped playing the piano in 2019 and I never went back.",
    ),
    DroppedMessage(
        "user",
        "Dana: We spent the long weekend hiking near Lake Bled with my sister Ana. We're not going back to the coast this year.",
    ),
    DroppedMessage(
        "assistant",
        'Sam: Sounds lovely. My new job at Fernwood Labs starts on 12 April, I\'ll be working on "The Quiet Atlas" project.',
    ),
)
SESSION_2 = (
    DroppedMessage(
        "user",
        "[Session 2 — 10 March 2024]\nDana: Thanks so much for the tips last time! I moved to Leeds last week, the flat is at 14 Harrow Road.",
    ),
    DroppedMessage(
        "assistant",
        "Sam: Congrats on the move! By the way, I no longer drink coffee, I switched to green tea.",
    ),
    DroppedMessage(
        "user", "Dana: Haha nice. Ana is getting married in September, we'll all go to Porto for it."
    ),
    DroppedMessage(
        "assistant",
        "Sam: Amazing, tell her congrats from me. I'm training for a half marathon, 21 km in June.",
    ),
)
SESSION_3 = (
    DroppedMessage(
        "user",
        "[Session 3 — 2 April 2024]\nDana: I changed my mind about the car, I'm keeping the old Fiat after all.",
    ),
    DroppedMessage(
        "assistant",
        "Sam: Fair enough. I adopted a rescue dog called Biscuit on Saturday, he's three years old.",
    ),
)
