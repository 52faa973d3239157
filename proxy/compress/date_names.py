"""Names of months, weekdays and sessions in the languages the digest reads, and the
python-dateutil ``parserinfo`` that knows them.

English, German, French, Spanish, Italian, Portuguese and Dutch: ``Freitag, 9. Juni 2023``,
``vendredi 9 juin 2023``, ``le 9 juin 2023 à 14h02``, ``9 de junio de 2023``, ``9 giugno
2023``, ``sexta-feira, 9 de junho de 2023``, ``Sessie 3 · vrijdag 9 juni 2023``. Weekday
abbreviations of other languages are left out: ``so``, ``do``, ``mi``, ``sam`` are words or
names in English.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dateutil.parser import parserinfo

# Other languages' names of each month, January first (English is dateutil's own).
MONTHS: tuple[tuple[str, ...], ...] = (
    ("januar", "jänner", "janvier", "janv", "enero", "gennaio", "janeiro", "januari"),
    ("februar", "feber", "février", "fevrier", "févr", "febrero", "febbraio", "fevereiro", "februari"),
    ("märz", "maerz", "mars", "marzo", "março", "maart"),
    ("avril", "abril", "aprile"),
    ("mai", "mayo", "maggio", "maio", "mei"),
    ("juni", "juin", "junio", "giugno", "junho"),
    ("juli", "juillet", "juil", "julio", "luglio", "julho"),
    ("août", "aout", "agosto", "augustus"),
    ("septembre", "septiembre", "setiembre", "settembre", "setembro"),
    ("oktober", "okt", "octobre", "octubre", "ottobre", "outubro"),
    ("novembre", "noviembre", "novembro"),
    ("dezember", "dez", "décembre", "decembre", "déc", "diciembre", "dicembre", "dezembro"),
)
# Other languages' weekdays, Monday first (Portuguese: "sexta-feira" or "sexta").
WEEKDAYS: tuple[tuple[str, ...], ...] = (
    ("montag", "lundi", "lunes", "lunedì", "lunedi", "segunda", "maandag"),
    ("dienstag", "mardi", "martes", "martedì", "martedi", "terça", "terca", "dinsdag"),
    ("mittwoch", "mercredi", "miércoles", "miercoles", "mercoledì", "mercoledi", "quarta", "woensdag"),
    ("donnerstag", "jeudi", "jueves", "giovedì", "giovedi", "quinta", "donderdag"),
    ("freitag", "vendredi", "viernes", "venerdì", "venerdi", "sexta", "vrijdag"),
    ("samstag", "sonnabend", "samedi", "sábado", "sabado", "sabato", "zaterdag"),
    ("sonntag", "dimanche", "domingo", "domenica", "zondag"),
)
# Words between a date's parts: "9 de junio de 2023", "le 9 juin 2023 à 14h02", "um 14:02 Uhr".
GLUE = (
    "de",
    "del",
    "le",
    "à",
    "um",
    "uhr",
    "el",
    "di",
    "do",
    "da",
    "op",
    "den",
    "het",
    "alle",
    "às",
    "om",
    "feira",
)
# What opens a session header: "Sitzung 2", "Séance 3", "Sesión 4", "Sessie 5", "Tag 6", "Jour 7".
SESSIONS = (
    "sitzung",
    "séance",
    "seance",
    "sesión",
    "sesion",
    "sessione",
    "sessão",
    "sessao",
    "sessie",
    "tag",
    "jour",
    "día",
    "dia",
    "giorno",
    "dag",
    "teil",
    "partie",
    "parte",
    "deel",
)


def weekday_words() -> frozenset[str]:
    """Every weekday name above, with Portuguese ``-feira`` forms."""
    names = {n for day in WEEKDAYS for n in day}
    return frozenset(
        names | {f"{n}-feira" for n in ("segunda", "terça", "terca", "quarta", "quinta", "sexta")}
    )


@lru_cache(maxsize=1)
def parser_info() -> parserinfo:
    """dateutil's parser names plus the ones above (day first, as all these languages write)."""
    from dateutil import parser  # on first use, as dates.py does

    class _Names(parser.parserinfo):  # type: ignore[misc]  # dateutil ships no types here
        MONTHS = [(*en, *other) for en, other in zip(parser.parserinfo.MONTHS, MONTHS, strict=True)]
        WEEKDAYS = [(*en, *other) for en, other in zip(parser.parserinfo.WEEKDAYS, WEEKDAYS, strict=True)]
        JUMP = [*parser.parserinfo.JUMP, *GLUE]

    return _Names(dayfirst=True)
