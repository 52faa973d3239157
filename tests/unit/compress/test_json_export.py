"""A chat pasted as an indented JSON export (Telegram's ``result.json``, a list of messages)
reads as that chat: written one message a line, the same JSON, each line a dated turn of its
sender. Other JSON stays as it is.

The fixtures are :mod:`rendered_chat`'s (Priya and Tom over three sessions).
"""

from __future__ import annotations

import datetime as dt
import json

import orjson

from proxy.compress import Compactor, Limits, TokenCounter, violations
from proxy.compress.chat_lines import stamped_lines
from proxy.compress.json_export import one_per_line
from proxy.compress.stages.transcript_fold import OPEN, fold_in_place
from proxy.compress.summarizer import DroppedMessage
from proxy.config import load_settings
from proxy.storage import MemoryKV
from tests.unit.compress.rendered_chat import SESSIONS, assert_read_as_a_chat
from tests.unit.compress.transcript_chat import SESSIONS as SESSIONS_160
from tests.unit.compress.transcript_chat import turn


def _messages() -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for when, turns in SESSIONS:
        for k, (who, text) in enumerate(turns):
            out.append({"id": len(out) + 1, "type": "message", "date": f"{when:%Y-%m-%dT%H}:{when.minute + k:02d}:00",
                        "from": who, "from_id": f"user{len(who)}", "text": text,
                        "text_entities": [{"type": "plain", "text": text}]})  # fmt: skip
    return out


def telegram(question: str = "") -> str:
    doc = {"name": "Tom", "type": "personal_chat", "id": 4242, "messages": _messages()}
    return json.dumps(doc, indent=1, ensure_ascii=False) + question


def test_an_export_is_written_one_message_a_line_and_stays_the_same_json() -> None:
    text = "Here is our chat:\n" + telegram("\n\nWho adopted a dog?")
    out = one_per_line(text)
    assert out.startswith(
        'Here is our chat:\n{"name":"Tom","type":"personal_chat","id":4242,"messages":[\n{"id":1,'
    )
    assert out.endswith("\n]}\n\nWho adopted a dog?")
    doc = out[len("Here is our chat:\n") : -len("\n\nWho adopted a dog?")]
    assert orjson.loads(doc) == json.loads(telegram())
    assert len(out) < len(text)
    listed = json.dumps(
        [{"speaker": "Priya", "timestamp": "2023-05-08 13:56", "text": f"line {i}"} for i in range(4)],
        indent=2,
    )
    assert (
        one_per_line(listed).split("\n")[1]
        == '{"speaker":"Priya","timestamp":"2023-05-08 13:56","text":"line 0"},'
    )


def test_other_json_and_text_stay_as_they_are() -> None:
    for text in (
        json.dumps(
            {"model": "gpt-4o", "messages": "none", "retries": [1, 2, 3]}, indent=2
        ),  # no list of messages
        json.dumps(
            [{"id": 1, "value": 2}, {"id": 2, "value": 3}, {"id": 3, "value": 4}], indent=2
        ),  # no senders
        json.dumps([{"from": "Priya", "text": "hi"}] * 2, indent=2),  # too few to be a chat
        '{\n  "from": "Priya",\n  "text": "hi"\n',  # not closed
        "{\n not json\n}",
        "Priya: hi\nTom: hey",
        "",
        "[\n" + "[" * 5000 + "]" * 5000 + "\n]",  # nested deeper than a JSON reader reads
        '{\n"a": '
        + "[" * 1000
        + "]" * 1000
        + ',\n"messages": '
        + json.dumps([{"from": "Priya", "text": "hi"}] * 3)
        + "\n}",
    ):
        assert one_per_line(text) == text, text


def test_every_fact_keeps_its_speaker_and_day_and_no_json_is_content() -> None:
    body = assert_read_as_a_chat(
        (DroppedMessage("user", telegram()),), ('"from"', "from_id", "{", "text_entities")
    )
    assert "user:" not in body


def test_a_pasted_export_gives_its_oldest_messages_to_a_digest_in_place() -> None:
    text = telegram("\n\nWhat did Priya adopt?")
    count = lambda t: len(t) // 4  # noqa: E731
    need = count(text) - count(one_per_line(text)) + 120  # (writing it a message a line frees some)
    folded = fold_in_place(text, need, count)
    assert folded is not None and count(text) - count(folded) >= need
    assert OPEN.split("{")[0] in folded and folded.endswith("\n\nWhat did Priya adopt?")
    newest = [orjson.loads(line.removesuffix(",")) for line in folded.split("\n") if line.startswith('{"id"')]
    assert newest and newest[-1]["text"] == "My sister Ines moved to Lisbon in January."  # the newest, whole


async def test_a_request_holding_only_an_export_and_a_question_is_condensed_from_its_oldest_messages() -> (
    None
):
    messages = [
        {"id": i + 1, "type": "message", "date": f"{SESSIONS_160[i // 40]:%Y-%m-%dT%H:%M:%S}",
         "from": line.split(": ", 1)[0], "text": line.split(": ", 1)[1]}
        for i, line in enumerate(turn(i) for i in range(160))
    ]  # fmt: skip
    text = json.dumps({"name": "Tom", "type": "personal_chat", "messages": messages}, indent=1)
    body = {
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": f"{text}\n\nWhat did we do in Bath?"}],
    }
    result = await Compactor(
        load_settings(environ={}).compression, kv=MemoryKV(), counter=TokenCounter()
    ).compress(body, "openai-chat", "gpt-4o", Limits(5_000, None, None))
    assert result.body is not None and result.tokens_after <= result.budget
    assert not violations("openai-chat", result.body)
    sent = result.body["messages"][0]["content"]
    assert sent.startswith('{"name":"Tom","type":"personal_chat","messages":[\n[ctxproxy: the ')
    assert sent.endswith("}\n]}\n\nWhat did we do in Bath?") and "truncated" not in sent
    digest = sent.split("\n")[2]
    assert digest.startswith("- [8 May 2023] ") and "Priya: " in digest and "Tom: " in digest


def test_other_apps_exports_read_as_their_senders_turns() -> None:
    discord = {"guild": {"name": "Friends"}, "channel": {"name": "general"}, "messages": [
        {"id": str(i), "type": "Default", "timestamp": "2023-05-08T13:56:00+00:00", "content": f"hi {i}",
         "author": {"id": "1234567890", "name": who, "nickname": who.title()}}
        for i, who in enumerate(["priya", "tom", "priya"])]}  # fmt: skip
    messenger = {"participants": [{"name": "Priya Shah"}, {"name": "Tom Baker"}], "messages": [
        {"sender_name": who, "timestamp_ms": 1683554160000 + 60_000 * (2 - i), "content": f"hi {i}"}
        for i, who in enumerate(["Tom Baker", "Priya Shah", "Tom Baker"])]}  # fmt: skip
    discord_said = ["Priya: hi 0", "Tom: hi 1", "Priya: hi 2"]
    messenger_said = ["Tom Baker: hi 2", "Priya Shah: hi 1", "Tom Baker: hi 0"]  # newest first: turned around
    for doc, said in ((discord, discord_said), (messenger, messenger_said)):
        lines = one_per_line(json.dumps(doc, indent=2)).split("\n")
        read = [rest for _, rest in stamped_lines(lines) if rest]
        assert read == said, read
        assert {day for day, _ in stamped_lines(lines) if day} == {dt.date(2023, 5, 8)}


def test_a_compact_export_on_one_line_is_written_one_message_a_line_too() -> None:
    for dumped in (
        json.dumps(json.loads(telegram()), ensure_ascii=False),  # json.dumps: ", " and ": "
        orjson.dumps(json.loads(telegram())).decode(),  # JSON.stringify: no spaces
    ):
        text = f"Here is our chat:\n{dumped}\n\nWho adopted a dog?"
        out = one_per_line(text)
        assert out.startswith(
            'Here is our chat:\n{"name":"Tom","type":"personal_chat","id":4242,"messages":[\n{"id":1,'
        )
        assert out.endswith("\n]}\n\nWho adopted a dog?")
        assert orjson.loads(out[len("Here is our chat:\n") : -len("\n\nWho adopted a dog?")]) == json.loads(
            telegram()
        )
        said = [rest for _, rest in stamped_lines(out.split("\n")) if rest.startswith(("Priya: ", "Tom: "))]
        assert len(said) == len(_messages())
    for text in (
        "\n".join(
            json.dumps({"from": "Priya", "time": "2023-05-08T13:56", "text": f"hi {i}"}) for i in range(5)
        ),
        json.dumps({"config": {"a": {"b": {"c": 1}}}, "rows": [1, 2, 3]}),  # no list of messages
        json.dumps([{"from": "Priya", "text": "hi"}] * 3)[:-1],  # not closed
        '{"from": "Priya", "text": "hi"} and {"from": "Tom", "text": "hey"} {"x": 1}',  # not one document
        "[" * 3000 + "{}" + "]" * 3000,  # nested deeper than a JSON reader reads
        json.dumps([[list(range(300))] * 300]),  # a matrix: not searched
        json.dumps(
            [{"id": i, "rows": [{"x": k, "y": k} for k in range(5)]} for i in range(3000)]
        ),  # no senders
    ):
        assert one_per_line(text) is text, text[:80]


def test_a_compact_export_folded_in_place_frees_what_is_needed_not_more() -> None:
    messages = [
        {"id": i + 1, "type": "message", "date": f"{SESSIONS_160[i // 40]:%Y-%m-%dT%H:%M:%S}",
         "from": line.split(": ", 1)[0], "text": line.split(": ", 1)[1]}
        for i, line in enumerate(turn(i) for i in range(160))
    ]  # fmt: skip
    text = json.dumps({"name": "Tom", "messages": messages}) + "\n\nWhat did we do in Bath?"
    count = lambda t: len(t) // 4  # noqa: E731
    written = one_per_line(text)
    assert fold_in_place(text, 4, count) == written  # writing it a message a line frees enough
    need = count(text) - count(written) + 800
    folded = fold_in_place(text, need, count)
    assert folded is not None and OPEN.split("{")[0] in folded
    freed = count(text) - count(folded)
    assert need <= freed <= need + count(text) // 20, (need, freed)  # what is needed, about
    assert folded.endswith("}\n]}\n\nWhat did we do in Bath?")


def test_an_export_of_many_chats_writes_every_chat_a_message_a_line() -> None:
    account = {"about": "export", "chats": {"about": "chats", "list": [  # Telegram's whole account
        {"name": f"Chat {c}", "type": "personal_chat", "id": c, "messages": [
            {"id": i, "type": "message", "date": f"2023-05-0{c + 1}T13:5{i}:00", "from": ["Priya", "Tom"][i % 2],
             "text": f"chat {c} line {i}"} for i in range(4)]}
        for c in range(5)]}}  # fmt: skip
    conversations = [  # a list of conversations, longer than any one of them
        {"uuid": f"c{c}", "name": f"Trip {c}", "created_at": "2024-03-03T10:00:00Z", "chat_messages": [
            {"uuid": f"m{i}", "sender": ["human", "assistant"][i % 2], "text": f"trip {c} line {i}",
             "created_at": f"2024-03-0{c + 1}T10:0{i}:00Z"} for i in range(3)]}
        for c in range(6)]  # fmt: skip
    for doc, n in ((account, 20), (conversations, 18)):
        for dumped in (json.dumps(doc, indent=2), json.dumps(doc)):
            out = one_per_line(f"{dumped}\n\nWhat did we say?")
            assert orjson.loads(out.removesuffix("\n\nWhat did we say?")) == doc
            read = [(day, rest) for day, rest in stamped_lines(out.split("\n")) if rest]
            assert len(read) == n + 1 and read[-1] == (None, "What did we say?")  # every line a turn, no JSON
            assert all(
                rest.startswith(("Priya: chat", "Tom: chat", "Human: trip", "Assistant: trip"))
                for _, rest in read[:-1]
            )
            assert all(day is not None and day.day == int(rest.split()[2]) + 1 for day, rest in read[:-1])


def _chatgpt(title: str, day: int, said: list[tuple[str, str]]) -> dict[str, object]:
    """A conversation as ChatGPT's ``conversations.json`` holds it: its messages in a
    ``mapping`` of nodes (a root, a hidden system message, then the turns)."""
    base = dt.datetime(2024, 3, day, 10, tzinfo=dt.UTC).timestamp()
    ids = ["root", "sys", *[f"{title}-{i}" for i in range(len(said))]]
    messages: list[object] = [
        None,
        {"author": {"role": "system"}, "content": {"content_type": "text", "parts": [""]}},
    ]
    messages += [
        {"id": ids[i + 2], "author": {"role": role, "name": None, "metadata": {}}, "create_time": base + 60 * i,
         "content": {"content_type": "text", "parts": [text]}, "status": "finished_successfully"}
        for i, (role, text) in enumerate(said)
    ]  # fmt: skip
    mapping = {
        ids[k]: {"id": ids[k], "message": messages[k], "parent": ids[k - 1] if k else None,
                 "children": [ids[k + 1]] if k + 1 < len(ids) else []}
        for k in reversed(range(len(ids)))  # (a node map need not list its nodes in order)
    }  # fmt: skip
    return {"title": title, "create_time": base, "mapping": mapping, "current_node": ids[-1]}


def test_a_chatgpt_export_reads_as_its_conversations_turns() -> None:
    export = [
        _chatgpt(
            "trip",
            3,
            [("user", "Plan a weekend in Porto"), ("assistant", "Day one: Ribeira and a port cellar.")],
        ),
        _chatgpt(
            "bread", 4, [("user", "Why is my sourdough flat?"), ("assistant", "Your starter is likely weak.")]
        ),
    ]
    for dumped in (json.dumps(export), json.dumps(export, indent=2)):
        out = one_per_line(f"My ChatGPT history:\n{dumped}\n\nWhat did I plan?")
        assert orjson.loads(out.split("\n", 1)[1].rsplit("\n\n", 1)[0]) == export  # the same JSON
        read = [(day, rest) for day, rest in stamped_lines(out.split("\n")) if rest]
        assert read == [
            (None, "My ChatGPT history:"),
            (dt.date(2024, 3, 3), "User: Plan a weekend in Porto"),
            (dt.date(2024, 3, 3), "Assistant: Day one: Ribeira and a port cellar."),
            (dt.date(2024, 3, 4), "User: Why is my sourdough flat?"),
            (dt.date(2024, 3, 4), "Assistant: Your starter is likely weak."),
            (None, "What did I plan?"),
        ], read  # oldest first; the root, the hidden system message and the framing read as nothing
    assert stamped_lines(['"a":{"message":"hi"},']) == [(None, '"a":{"message":"hi"},')]  # no node
