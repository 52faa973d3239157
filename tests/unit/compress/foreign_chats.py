"""Two multi-session chats written by hand for the digest's language tests: one in German
(Änne and Ömer), one in French (Élodie and Thérèse).

Each session opens with a header in the chat's language; each turn is a ``Name: text`` line,
turns merged three to a message (as clients that join consecutive messages send them), so a
session's header often sits on a later line of a message. ``*_FACTS`` maps each planted fact
word (a name, a place, a thing) to who said it and in which session. :func:`rounds` makes a
longer chat of the three sessions told again with other facts (``*_OTHER``) on later days,
so that a compaction has a history worth a digest.
"""

from __future__ import annotations

import datetime as dt
import re

Session = tuple[str, dt.date, list[tuple[str, str]]]

GERMAN: list[Session] = [
    (
        "Sitzung 1 · Montag, 8. Mai 2023",
        dt.date(2023, 5, 8),
        [
            ("Änne", "Hallo Ömer! Wie geht es dir denn so?"),
            ("Ömer", "Hallo Änne, mir geht es gut, danke. Und dir?"),
            (
                "Änne",
                "Ich habe letzte Woche einen Hund aus dem Tierheim in Bremen adoptiert, er heißt Krümel.",
            ),
            ("Ömer", "Oh, das ist ja toll! Was für eine Rasse ist er denn?"),
            ("Änne", "Krümel ist ein Windhund und er ist schon vier Jahre alt."),
            ("Ömer", "Ich mache seit Februar einen Töpferkurs in der Werkstatt am Hafen von Flensburg."),
            ("Änne", "Das klingt wirklich schön, das würde ich auch gern mal machen."),
            ("Ömer", "Du kannst ja mal mitkommen, wir treffen uns immer am Donnerstag."),
            ("Änne", "Wie lange seid ihr beide eigentlich schon verheiratet?"),
            ("Ömer", "Seit sieben Jahren, im August feiern wir das mit einer Reise nach Sizilien."),
            ("Änne", "Oh wie schön, das freut mich sehr für euch!"),
            ("Ömer", "Danke, ich muss jetzt leider los. Bis bald!"),
        ],
    ),
    (
        "Sitzung 2 · Freitag, 9. Juni 2023",
        dt.date(2023, 6, 9),
        [
            (
                "Ömer",
                "Hallo Änne, ich bin am Sonntag den Halbmarathon in Kiel gelaufen, in 1 Stunde und 52 Minuten.",
            ),
            ("Änne", "Wow, das ist ja eine super Zeit! Hast du dafür lange trainiert?"),
            ("Ömer", "Ja, ich habe seit Januar dreimal pro Woche mit meinem Nachbarn Karsten trainiert."),
            ("Änne", "Ich habe übrigens meinen Job bei der Haldenbank gekündigt."),
            ("Ömer", "Echt? Das ist ja mutig. Was machst du denn jetzt?"),
            ("Änne", "Ich arbeite jetzt bei einem Robotik-Startup in Leipzig, das heißt Greifwerk."),
            ("Ömer", "Das passt ja perfekt zu dir, du wolltest das doch schon immer machen."),
            ("Änne", "Ja, genau. Gestern war ich auf dem Laternenfest in Lüneburg mit meiner Schwester."),
            ("Ömer", "Das klingt toll, war es sehr voll dort?"),
            ("Änne", "Es war nicht so voll, weil es den ganzen Abend geregnet hat."),
            ("Ömer", "Na ja, dann hattet ihr wenigstens mehr Platz."),
            ("Änne", "Genau, bis bald und liebe Grüße an deine Frau!"),
        ],
    ),
    (
        "Sitzung 3 · Sonntag, 3. März 2024",
        dt.date(2024, 3, 3),
        [
            ("Änne", "Hallo Ömer, stell dir vor, Krümel hat gelernt, den Kühlschrank zu öffnen."),
            ("Ömer", "Haha, das ist ja lustig! Was hat er denn gefressen?"),
            ("Änne", "Er hat den ganzen Käse gefressen, das war überhaupt nicht lustig."),
            ("Ömer", "Meine Schwester Ines ist im Januar nach Lissabon gezogen."),
            ("Änne", "Oh, das ist aber weit weg. Vermisst du sie?"),
            ("Ömer", "Ja, sehr, aber wir besuchen sie im Mai für zwei Wochen."),
            ("Änne", "Wir haben jetzt übrigens 3 Katzen, aber keine Hühner mehr."),
            ("Ömer", "Und verträgt sich Krümel mit den Katzen?"),
            ("Änne", "Ja, die schlafen sogar zusammen auf dem Sofa."),
            ("Ömer", "Das ist ja süß, schick mir doch mal ein Foto!"),
            ("Änne", "Mache ich, bis dann!"),
            ("Ömer", "Tschüss, bis bald!"),
        ],
    ),
]
GERMAN_FACTS = {"Bremen": ("Änne", 0), "Krümel": ("Änne", 0), "Windhund": ("Änne", 0),
                "Töpferkurs": ("Ömer", 0), "Flensburg": ("Ömer", 0), "Sizilien": ("Ömer", 0),
                "Kiel": ("Ömer", 1), "Karsten": ("Ömer", 1), "Haldenbank": ("Änne", 1),
                "Greifwerk": ("Änne", 1), "Leipzig": ("Änne", 1), "Lüneburg": ("Änne", 1),
                "Kühlschrank": ("Änne", 2), "Käse": ("Änne", 2), "Lissabon": ("Ömer", 2),
                "Ines": ("Ömer", 2), "Katzen": ("Änne", 2)}  # fmt: skip

FRENCH: list[Session] = [
    (
        "Séance 1 — lundi 8 mai 2023",
        dt.date(2023, 5, 8),
        [
            ("Élodie", "Salut Thérèse ! Comment ça va depuis la dernière fois ?"),
            ("Thérèse", "Salut Élodie, ça va très bien, merci. Et toi ?"),
            (
                "Élodie",
                "J'ai adopté un chien au refuge de Nantes la semaine dernière, il s'appelle Biscotte.",
            ),
            ("Thérèse", "Oh, c'est génial ! C'est quelle race ?"),
            ("Élodie", "Biscotte est un lévrier et il a déjà quatre ans."),
            ("Thérèse", "Moi, je fais un cours de poterie depuis février dans un atelier du port de Brest."),
            ("Élodie", "Ça a l'air vraiment chouette, j'aimerais bien essayer aussi."),
            ("Thérèse", "Tu peux venir avec moi, on se retrouve toujours le jeudi."),
            ("Élodie", "Vous êtes mariés depuis combien de temps, toi et Marc ?"),
            ("Thérèse", "Depuis sept ans, et en août nous partons en Sicile pour le fêter."),
            ("Élodie", "Oh que c'est beau, je suis très contente pour vous !"),
            ("Thérèse", "Merci, je dois y aller. À bientôt !"),
        ],
    ),
    (
        "Séance 2 — vendredi 9 juin 2023",
        dt.date(2023, 6, 9),
        [
            (
                "Thérèse",
                "Salut Élodie, dimanche j'ai couru le semi-marathon de Lorient en 1 heure et 52 minutes.",
            ),
            ("Élodie", "Waouh, c'est un super temps ! Tu t'es entraînée longtemps ?"),
            ("Thérèse", "Oui, depuis janvier, trois fois par semaine avec mon voisin Gaspard."),
            ("Élodie", "Au fait, j'ai démissionné de mon poste à la banque Haldène."),
            ("Thérèse", "C'est vrai ? C'est courageux. Et qu'est-ce que tu fais maintenant ?"),
            ("Élodie", "Je travaille dans une start-up de robotique à Grenoble, elle s'appelle Pincebot."),
            ("Thérèse", "Ça te va parfaitement, tu as toujours voulu faire ça."),
            ("Élodie", "Oui, exactement. Hier, je suis allée à la fête des lanternes à Annecy avec ma sœur."),
            ("Thérèse", "Ça a l'air super, il y avait beaucoup de monde ?"),
            ("Élodie", "Il n'y avait pas trop de monde, parce qu'il a plu toute la soirée."),
            ("Thérèse", "Bon, au moins vous aviez de la place."),
            ("Élodie", "Exactement, à bientôt et bises à ton mari !"),
        ],
    ),
    (
        "Séance 3 — dimanche 3 mars 2024",
        dt.date(2024, 3, 3),
        [
            ("Élodie", "Salut Thérèse, imagine-toi que Biscotte a appris à ouvrir le frigo."),
            ("Thérèse", "Haha, c'est drôle ! Qu'est-ce qu'il a mangé ?"),
            ("Élodie", "Il a mangé tout le fromage, ce n'était pas drôle du tout."),
            ("Thérèse", "Ma sœur Inès a déménagé à Lisbonne en janvier."),
            ("Élodie", "Oh, c'est loin. Elle te manque ?"),
            ("Thérèse", "Oui, beaucoup, mais nous allons la voir en mai pendant deux semaines."),
            ("Élodie", "Au fait, nous avons maintenant 3 chats, mais plus de poules."),
            ("Thérèse", "Et Biscotte s'entend bien avec les chats ?"),
            ("Élodie", "Oui, ils dorment même ensemble sur le canapé."),
            ("Thérèse", "C'est trop mignon, envoie-moi une photo !"),
            ("Élodie", "Je le fais, à plus !"),
            ("Thérèse", "Salut, à bientôt !"),
        ],
    ),
]
FRENCH_FACTS = {"Nantes": ("Élodie", 0), "Biscotte": ("Élodie", 0), "lévrier": ("Élodie", 0),
                "poterie": ("Thérèse", 0), "Brest": ("Thérèse", 0), "Sicile": ("Thérèse", 0),
                "Lorient": ("Thérèse", 1), "Gaspard": ("Thérèse", 1), "Haldène": ("Élodie", 1),
                "Pincebot": ("Élodie", 1), "Grenoble": ("Élodie", 1), "Annecy": ("Élodie", 1),
                "frigo": ("Élodie", 2), "fromage": ("Élodie", 2), "Lisbonne": ("Thérèse", 2),
                "Inès": ("Thérèse", 2), "chats": ("Élodie", 2)}  # fmt: skip


def merged_messages(sessions: list[Session], per: int = 3) -> list[dict[str, str]]:
    """OpenAI chat messages: turns merged ``per`` to a message, the session's header on the
    line before its first turn; user and assistant take turns."""
    lines: list[tuple[str, str]] = []
    for header, _, turns in sessions:
        for k, (who, text) in enumerate(turns):
            lines.append((who, (header + "\n" if k == 0 else "") + f"{who}: {text}"))
    out: list[dict[str, str]] = []
    for i in range(0, len(lines), per):
        role = "user" if (i // per) % 2 == 0 else "assistant"
        out.append({"role": role, "content": "\n".join(text for _, text in lines[i : i + per])})
    return out


# Each fact word's stand-ins in later rounds (one per round after the first).
GERMAN_OTHER = {
    "Bremen": "Hannover Kassel Rostock Erfurt Mainz Trier Passau",
    "Krümel": "Bello Struppi Wuschel Fips Hasso Rocky Lumpi",
    "Windhund": "Dackel Pudel Boxer Mops Beagle Spitz Terrier",
    "Töpferkurs": "Tanzkurs Malkurs Yogakurs Kochkurs Gitarrenkurs Nähkurs Schachkurs",
    "Flensburg": "Husum Emden Wismar Stralsund Cuxhaven Wilhelmshaven Warnemünde",
    "Sizilien": "Sardinien Korsika Kreta Mallorca Madeira Island Norwegen",
    "Kiel": "Lübeck Bonn Münster Dresden Potsdam Ulm Jena",
    "Karsten": "Henning Dörte Jörg Frauke Sönke Gesine Torben",
    "Haldenbank": "Nordbank Lindenbank Tannenbank Eichbank Moorbank Heidebank Buchenbank",
    "Greifwerk": "Zangwerk Hebelwerk Rollwerk Schubwerk Drehwerk Kippwerk Hubwerk",
    "Leipzig": "Chemnitz Magdeburg Halle Rostock Görlitz Zwickau Gera",
    "Lüneburg": "Celle Goslar Quedlinburg Wernigerode Bamberg Regensburg Landshut",
    "Kühlschrank": "Vorratsschrank Gefrierschrank Brotkasten Backofen Küchenschrank Wäschekorb Mülleimer",
    "Käse": "Schinken Kuchen Quark Braten Speck Joghurt Salami",
    "Lissabon": "Porto Madrid Valencia Sevilla Bilbao Málaga Granada",
    "Ines": "Svenja Jördis Meike Wiebke Kerstin Ulrike Hannah",
    "Katzen": "Kaninchen Meerschweinchen Wellensittiche Schildkröten Hamster Frettchen Ziegen",
}
FRENCH_OTHER = {
    "Nantes": "Rennes Angers Tours Poitiers Limoges Dijon Reims",
    "Biscotte": "Caramel Filou Noisette Pompon Réglisse Cookie Praline",
    "lévrier": "caniche teckel carlin beagle boxer épagneul bouledogue",
    "poterie": "danse peinture yoga cuisine guitare couture échecs",
    "Brest": "Vannes Quimper Saint-Malo Dieppe Honfleur Sète Bayonne",
    "Sicile": "Sardaigne Corse Crète Majorque Madère Islande Norvège",
    "Lorient": "Rouen Amiens Metz Nancy Besançon Orléans Caen",
    "Gaspard": "Anatole Clémence Étienne Margaux Timothée Solène Baptiste",
    "Haldène": "Nordia Tilleul Sapinière Chênaie Bruyère Hêtraie Frênaie",
    "Pincebot": "Levibot Roulbot Poussbot Tournbot Basculbot Hissbot Glissbot",
    "Grenoble": "Chambéry Valence Clermont Montpellier Perpignan Pau Nîmes",
    "Annecy": "Colmar Carcassonne Albi Avignon Arles Uzès Sarlat",
    "frigo": "placard congélateur four garde-manger panier buffet cellier",
    "fromage": "jambon gâteau beurre rôti saucisson yaourt pâté",
    "Lisbonne": "Porto Madrid Valence Séville Bilbao Malaga Grenade",
    "Inès": "Amandine Léonie Maëlle Océane Romane Zoé Héloïse",
    "chats": "lapins cochons perruches tortues hamsters furets chèvres",
}
_WEEKDAYS = {
    "de": "Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag".split(),
    "fr": "lundi mardi mercredi jeudi vendredi samedi dimanche".split(),
}
_MONTHS = {
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember".split(),
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split(),
}


def header(lang: str, n: int, day: dt.date) -> str:
    """``Sitzung 4 · Freitag, 9. Juni 2023`` / ``Séance 4 — vendredi 9 juin 2023``."""
    weekday, month = _WEEKDAYS[lang][day.weekday()], _MONTHS[lang][day.month - 1]
    if lang == "de":
        return f"Sitzung {n} · {weekday}, {day.day}. {month} {day.year}"
    return f"Séance {n} — {weekday} {day.day} {month} {day.year}"


def rounds(lang: str, count: int) -> tuple[list[Session], dict[str, set[tuple[str, int]]]]:
    """``count`` rounds of the chat's three sessions (round ``r`` moved ``r`` × 400 days on,
    its fact words replaced by their ``r``-th stand-ins), and for every round's fact words
    who said them in which session (by index): each (speaker, session) whose turn holds it."""
    sessions, facts, other = (
        (GERMAN, GERMAN_FACTS, GERMAN_OTHER) if lang == "de" else (FRENCH, FRENCH_FACTS, FRENCH_OTHER)
    )
    out: list[Session] = []
    words: set[str] = set()
    for r in range(count):
        swap = {word: other[word].split()[r - 1] for word in facts} if r else {}
        words.update(swap.get(word, word) for word in facts)
        for _, day, turns in sessions:
            when = day + dt.timedelta(days=400 * r)
            told = []
            for who, text in turns:
                for word, stand_in in swap.items():
                    text = text.replace(word, stand_in)
                told.append((who, text))
            out.append((header(lang, len(out) + 1, when), when, told))
    said: dict[str, set[tuple[str, int]]] = {word: set() for word in words}
    for k, (_, _, turns) in enumerate(out):
        for who, text in turns:
            for word in set(re.findall(r"[\w-]+", text)) & words:
                said[word].add((who, k))
    return out, said


MONTHS = "January February March April May June July August September October November December".split()


def digest_segments(summary: str) -> list[tuple[str, dt.date | None, str]]:
    """(speaker, day, text) of every turn of every digest line (an undated line: no day)."""
    out: list[tuple[str, dt.date | None, str]] = []
    for line in summary.splitlines():
        m = re.match(r"- (?:\[(\d{1,2}) (\w+) (\d{4})\] )?(.*)", line)
        if not m:
            continue
        day = dt.date(int(m[3]), MONTHS.index(m[2]) + 1, int(m[1])) if m[1] and m[2] in MONTHS else None
        for seg in m[4].split(" | "):
            who, _, text = seg.partition(": ")
            out.append((who, day, text))
    return out
