"""The digest on chats in other languages: facts kept, right speaker, right day, function words.

Run (``--tree PATH`` measures another checkout's ``proxy`` package, e.g. ``main``'s)::

    .venv/bin/python tests/bench/bench_languages.py [--rounds 8] [--tree PATH] [--show]

The German and French chats of :mod:`tests.unit.compress.foreign_chats` (written for the tests:
two speakers with accented names, session headers in the chat's language, turns merged three
to a message), ``--rounds`` rounds of three sessions each, are compressed like ``ctxproxy
compress --strategy aggressive --context-window <their tokens>``. Reported per chat: the size
reached, the digest's segments (one speaker's stretch of a digest line) that name one of the
chat's speakers and that carry one of its session days, the planted fact words (names,
places, things) found in the digest and, of those, how many sit in a segment with a speaker
who said them and a day they were said on, and the share of the digest's words that are
common function words of the chat's language.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from dataclasses import replace

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from _tree import arg, bootstrap  # this script's folder is on sys.path

PROXY_PATH = bootstrap(sys.argv[1:])

from proxy.compress import SUMMARY_HEADER, Compactor, Limits, TokenCounter  # noqa: E402
from proxy.config import load_settings  # noqa: E402
from tests.unit.compress.foreign_chats import digest_segments, merged_messages, rounds  # noqa: E402

FUNCTION_WORDS = {
    "de": """der die das dem den des ein eine einen einem ich du er sie es wir ihr mir dich dir und
    oder aber dass weil wenn als ob in im an am auf aus bei mit nach von vom zu zum zur für über
    bin bist ist sind war waren habe hast hat haben hatte wird werden kann muss so auch noch
    schon sehr ja mal denn doch da dort hier dann wie was""",
    "fr": """le la les un une des du de au aux ce cet cette ces je tu il elle on nous vous ils
    elles me te se moi toi lui mon ma mes ton ta tes son sa ses qui que quoi et ou mais donc car
    si comme quand à dans en sur avec pour par chez suis est sont était été ai as a avons avez
    ont avait c'est ça très aussi encore déjà bien alors oui y""",
}
QUESTIONS = {
    "de": "Änne: Was weißt du noch über meinen Hund?",
    "fr": "Élodie : Tu te souviens de mon chien ?",
}


async def measure(lang: str, count: int, show: bool) -> str:
    sessions, facts = rounds(lang, count)
    messages = [{"role": "system", "content": "You are a friendly companion."}, *merged_messages(sessions)]
    body = {"model": "gpt-4o", "messages": [*messages, {"role": "user", "content": QUESTIONS[lang]}]}
    settings = replace(load_settings(environ={}).compression, strategy="aggressive")
    counter = TokenCounter()
    size = counter.count_request("openai-chat", body, "gpt-4o")
    result = await Compactor(settings, counter=counter).compress(
        body, "openai-chat", "gpt-4o", Limits(size, None, 256)
    )
    out = result.body["messages"] if result.body is not None else body["messages"]
    summary = next((str(m["content"]) for m in out if str(m["content"]).startswith(SUMMARY_HEADER)), "")
    if show:
        print(summary, "\n")
    segs = digest_segments(summary)
    speakers = {who for _, _, turns in sessions for who, _ in turns}
    days = [day for _, day, _ in sessions]
    present = right_speaker = right_day = 0
    for word, said in facts.items():
        holding = [s for s in segs if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", s[2])]
        if holding:
            present += 1
            right_speaker += any(s[0] in {who for who, _ in said} for s in holding)
            right_day += any(s[1] in {days[k] for _, k in said} for s in holding)
    words = [w.strip(".,;:!?").lower() for _, _, text in segs for w in text.split()]
    function = set(FUNCTION_WORDS[lang].split())
    n = max(1, len(segs))
    return (
        f"| {lang} | {len(sessions)} sessions, {len(messages) - 1} messages | "
        f"{result.tokens_after / result.tokens_before:.2f} | {len(segs)} | "
        f"{sum(s[0] in speakers for s in segs) / n:.2f} | {sum(s[1] in days for s in segs) / n:.2f} | "
        f"{present}/{len(facts)} = {present / len(facts):.2f} | {right_speaker}/{present} | {right_day}/{present} | "
        f"{sum(w in function for w in words) / max(1, len(words)):.2f} |"
    )


async def main(argv: list[str]) -> int:
    count = int(arg(argv, "--rounds", "8"))
    print(f"proxy from {PROXY_PATH}; aggressive preset, window = the conversation's tokens\n")
    print(
        "| chat | size | tokens after / before | digest segments | segments: a speaker of the chat "
        "| segments: a session's day | fact words in the digest | of those: right speaker "
        "| of those: right day | function words in the digest |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for lang in ("de", "fr"):
        print(await measure(lang, count, "--show" in argv))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
