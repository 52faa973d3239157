"""The digest on conversations that are not in English: speakers with names in any alphabet,
function words of German, French, Spanish, Italian, Portuguese and Dutch, date headers in
those languages, and a German and a French chat compacted end to end (fixtures written for
these tests: :mod:`tests.unit.compress.foreign_chats`)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

import pytest

from proxy.compress import SUMMARY_HEADER, Compactor, DroppedMessage, Limits, SummaryRequest, TokenCounter
from proxy.compress.dates import line_stamp, parse_date
from proxy.compress.digest import build_summary
from proxy.compress.speakers import speaker_prefix
from proxy.compress.stopwords import LANGUAGES, language
from proxy.compress.units import condense, content_words, find_speakers
from proxy.config import load_settings
from tests.unit.compress.foreign_chats import digest_segments, merged_messages, rounds


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("Élodie: salut", "Élodie"),
        ("Ömer Yılmaz: hallo", "Ömer Yılmaz"),
        ("Дмитрий: привет", "Дмитрий"),
        ("Łukasz: cześć", "Łukasz"),
        ("José María: hola", "José María"),
        ("Élodie : salut, ça va ?", "Élodie"),  # French puts a space before the colon
        ("**Thérèse**: bonjour", "Thérèse"),
        ("**Thérèse:** bonjour", "Thérèse"),  # Markdown bold, the colon inside
        ("王伟: 你好", "王伟"),
        ("王伟：你好", "王伟"),
        ("田中 太郎：こんにちは", "田中 太郎"),
        ("김민준: 안녕하세요", "김민준"),
        ("محمد: مرحبا", "محمد"),
        ("דנה: שלום", "דנה"),
        ("राहुल: नमस्ते", "राहुल"),
        ("สมชาย: สวัสดี", "สมชาย"),
        ("Dana: hi", "Dana"),
        ("Jean-Luc: ok", "Jean-Luc"),
    ],
)
def test_a_speaker_name_in_any_alphabet_or_script(line: str, name: str) -> None:
    assert speaker_prefix(line) == name


@pytest.mark.parametrize(
    "line",
    [
        "14:02 on est arrivés",
        "https://example.org/a: b",
        "Note: the build is green",
        "**Note:** the build is green",
        "Error: file not found",
        "Hinweis: bitte neu starten",
        "Fehler: Datei fehlt",
        "Remarque : le fichier manque",
        "Erreur: fichier introuvable",
        "Nota: el archivo falta",
        "Errore: file mancante",
        "Opmerking: het bestand ontbreekt",
        "Примечание: файл отсутствует",
        "Ошибка: файл не найден",
        "注意：文件丢失",
        "错误：找不到文件",
        "def f():",
        "    if ready:",
        "a) Punkt: eins",
        "1. Schritt: öffnen",
        "他说：你好",  # "he said:" is speech, not a speaker
        "我们今天去了北京的博物馆：很好玩",  # a sentence, not a name
        "élodie: pas de majuscule",
        "Élodie:sans espace",
        "Dana said: hi",
        "Ömer:",
    ],
)
def test_what_is_not_a_speaker(line: str) -> None:
    assert speaker_prefix(line) is None


def test_a_transcripts_speakers_are_found_across_its_messages() -> None:
    texts = [
        "Élodie: salut",
        "Thérèse: coucou",
        "Élodie: ça va ?",
        "王伟：你好",
        "王伟：再见",
        "Remarque : rien",
    ]
    assert find_speakers(texts) == frozenset({"Élodie", "Thérèse", "王伟"})


# (sentence, words that must go, words that must stay)
CONDENSED = [
    (
        "Ich bin gestern mit meiner Schwester nach Hamburg gefahren und wir haben dort kein Konzert gesehen.",
        "ich bin mit meiner nach und wir haben dort",
        "gestern Schwester Hamburg gefahren kein Konzert gesehen",
    ),
    (
        "Er hat den ganzen Käse gefressen, das war überhaupt nicht lustig.",
        "er hat den das war",
        "Käse gefressen nicht lustig",
    ),
    (
        "Je suis allée au marché avec ma sœur, mais nous n'avons pas trouvé les 12 bougies pour Inès.",
        "je suis au avec ma mais nous les pour",
        "allée marché sœur pas trouvé 12 bougies Inès",
    ),
    ("Il a mangé tout le fromage de l’épicerie.", "il le de", "mangé fromage épicerie"),
    (
        "Ayer fui al mercado con mi hermana y no compramos las naranjas de Valencia.",
        "fui al con mi las de",
        "Ayer mercado hermana no compramos naranjas Valencia",
    ),
    (
        "Ieri sono andata al mercato con mia sorella a Bologna, ma non ho comprato niente.",
        "sono al con mia ma ho",
        "Ieri andata mercato sorella Bologna non comprato niente",
    ),
    (
        "Ontem eu fui ao mercado com a minha irmã em Lisboa e não comprei nada.",
        "eu fui ao com minha em",
        "Ontem mercado irmã Lisboa não comprei nada",
    ),
    (
        "Ik ben gisteren met mijn zus naar Utrecht gegaan, maar we hebben geen 3 kaartjes gekocht.",
        "ik ben met mijn naar maar hebben",
        "gisteren zus Utrecht gegaan geen 3 kaartjes gekocht",
    ),
]


def _words(text: str) -> list[str]:
    return [w.strip(".,;:!?").lower() for w in text.split()]


@pytest.mark.parametrize(("sentence", "gone", "kept"), CONDENSED)
def test_function_words_go_names_numbers_and_negations_stay(sentence: str, gone: str, kept: str) -> None:
    short = _words(condense(sentence))
    words = content_words(sentence)
    for w in gone.split():
        assert w not in short and w not in words, (w, short)
    for w in kept.split():
        assert w.lower() in short and w.lower() in words, (w, short)


@pytest.mark.parametrize(
    ("sentence", "kept"),
    [
        ("I watched Die Hard after the war documentary, also the man in the hat.", "die war man hat"),
        ("Man, that war was brutal and my son still has the car.", "war brutal son car"),
        ("Pour the wine, the one from Chez Paul.", "pour wine chez paul"),
        ("We ate at Café de la Paix and then took the van to Den Haag.", "café paix van den haag"),
        ("I was in the war in 1944 and he was there.", "war 1944"),
    ],
)
def test_english_keeps_words_other_languages_use_as_function_words(sentence: str, kept: str) -> None:
    assert language(sentence.split(), sentence) == "en"
    short = _words(condense(sentence))
    words = content_words(sentence)
    for w in kept.split():
        assert w in short and w in words, (w, short)


def test_negations_are_in_no_language_list() -> None:
    negations = {
        "de": "nicht kein keine keinen nie niemals nichts",
        "fr": "ne pas jamais rien non personne aucun",
        "es": "no nunca nada nadie ningún ninguna",
        "it": "non mai niente nulla nessuno",
        "pt": "não nunca nada nenhum ninguém",
        "nl": "niet geen nooit niets niemand",
    }
    for lang, words in LANGUAGES.items():
        assert not set(negations[lang].split()) & words, lang


@pytest.mark.parametrize(
    ("line", "day", "rest"),
    [
        ("Freitag, 9. Juni 2023", dt.date(2023, 6, 9), ""),
        ("9. Juni 2023 14:02 Änne: hallo", dt.date(2023, 6, 9), "Änne: hallo"),
        ("9. Juni 2023 um 14.02 Uhr", dt.date(2023, 6, 9), ""),
        ("Sitzung 2 · Samstag, 3. März 2024", dt.date(2024, 3, 3), ""),
        ("vendredi 9 juin 2023", dt.date(2023, 6, 9), ""),
        ("le 9 juin 2023 à 14h02", dt.date(2023, 6, 9), ""),
        ("Le 14 février 2024 à 9h30, Élodie : salut", dt.date(2024, 2, 14), "Élodie : salut"),
        ("1er mai 2023", dt.date(2023, 5, 1), ""),
        ("9 de junio de 2023", dt.date(2023, 6, 9), ""),
        ("[Sesión 2 — sábado, 3 de marzo de 2024]", dt.date(2024, 3, 3), ""),
        ("9 giugno 2023", dt.date(2023, 6, 9), ""),
        ("Sessione 4 – venerdì 9 giugno 2023", dt.date(2023, 6, 9), ""),
        ("9 de junho de 2023", dt.date(2023, 6, 9), ""),
        ("sexta-feira, 9 de junho de 2023", dt.date(2023, 6, 9), ""),
        ("9 juni 2023", dt.date(2023, 6, 9), ""),
        ("Sessie 3 · vrijdag 9 juni 2023", dt.date(2023, 6, 9), ""),
        ("29.12.2023, 22:42:04 - Ömer: hallo", dt.date(2023, 12, 29), "Ömer: hallo"),
    ],
)
def test_date_headers_in_six_more_languages(line: str, day: dt.date, rest: str) -> None:
    assert line_stamp(line) == (day, rest)


@pytest.mark.parametrize(
    "line",
    [
        "Am 9. Juni 2023 waren wir in Hamburg.",  # a date inside a sentence is content
        "9 juin 2023 était une belle journée",
        "2023 war ein gutes Jahr",
        "Mars 2023 mission: launched",
        "3 Katzen und 2 Hunde",
        "Sitzung 3 mit Ömer",
    ],
)
def test_a_date_in_a_sentence_or_a_plain_number_is_not_a_header(line: str) -> None:
    assert line_stamp(line) == (None, line)


def test_parse_date_reads_month_names_of_other_languages() -> None:
    assert parse_date("3. Oktober 2024") == dt.date(2024, 10, 3)
    assert parse_date("20 décembre 2023") == dt.date(2023, 12, 20)
    assert parse_date("7 agosto 2022") == dt.date(2022, 8, 7)
    assert parse_date("Oktober") is None  # no year: not a full date


@pytest.mark.parametrize(
    ("lang", "question", "function_words"),
    [
        (
            "de",
            "Änne: Was weißt du noch über meinen Hund?",
            "und ich wir der das ist haben bin mit dem ein eine",
        ),
        ("fr", "Élodie : Tu te souviens de mon chien ?", "je nous et le les une est suis avec pour dans"),
    ],
)
async def test_a_chat_in_another_language_compacts_into_attributed_dated_content(
    lang: str, question: str, function_words: str
) -> None:
    """Eight rounds of three sessions (96 merged messages, headers in the chat's language,
    accented names), compacted with the aggressive preset in a window of the conversation's
    size: every digest segment names one of the two speakers and a session's day, every fact
    word in it sits with its speaker and its day, most facts are there and function words not."""
    sessions, facts = rounds(lang, 8)
    messages = [{"role": "system", "content": "You are a friendly companion."}, *merged_messages(sessions)]
    body = {"model": "gpt-4o", "messages": [*messages, {"role": "user", "content": question}]}
    settings = replace(load_settings(environ={}).compression, strategy="aggressive")
    counter = TokenCounter()
    size = counter.count_request("openai-chat", body, "gpt-4o")
    result = await Compactor(settings, counter=counter).compress(
        body, "openai-chat", "gpt-4o", Limits(size, None, 256)
    )
    assert result.compressed and result.body is not None
    summary = next(
        m["content"] for m in result.body["messages"] if str(m["content"]).startswith(SUMMARY_HEADER)
    )
    segments = digest_segments(summary)
    speakers = {who for _, _, turns in sessions for who, _ in turns}
    days = [day for _, day, _ in sessions]
    assert len(segments) >= 30
    assert all(who in speakers for who, _, _ in segments), [
        who for who, _, _ in segments if who not in speakers
    ]
    assert all(day in days for _, day, _ in segments)
    present = 0
    for word, said in facts.items():
        holding = [s for s in segments if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", s[2])]
        if holding:
            present += 1
            assert any((s[0], days.index(s[1])) in said for s in holding if s[1] in days), (word, holding)
    assert present >= 0.75 * len(facts)
    words = [w.strip(".,;:!?").lower() for _, _, text in segments for w in text.split()]
    stray = [w for w in words if w in set(function_words.split())]
    assert len(stray) <= len(words) // 50, stray


def test_chinese_turns_count_by_character_pairs_and_keep_their_speakers() -> None:
    """Written without spaces, a Chinese sentence was one "word" and went as a filler."""
    assert content_words("我上周在杭州买了自行车。") == [
        "我上",
        "上周",
        "周在",
        "在杭",
        "杭州",
        "州买",
        "买了",
        "了自",
        "自行",
        "行车",
    ]
    dropped = (
        DroppedMessage(
            "user", "2023-05-08 14:02\n王伟：我上周在杭州买了一辆红色自行车。\n李娜：真的吗？多少钱？"
        ),
        DroppedMessage("assistant", "王伟：花了1200元。\n李娜：我下个月要去成都出差。"),
    )
    summary = build_summary(SummaryRequest(None, dropped, 500, "gpt-4o"))
    line = next(line for line in summary.splitlines() if line.startswith("- "))
    assert line.startswith("- [8 May 2023] 王伟: ")
    assert "王伟: 我上周在杭州买了一辆红色自行车" in line and "李娜: 我下个月要去成都出差" in line
