"""Function words of the languages the digest condenses, and which language a text is in.

English is the default. German, French, Spanish, Italian, Portuguese and Dutch each have a
hand-written list of function words: articles, pronouns, prepositions, conjunctions,
auxiliaries, common fillers and greetings. Negations (``nicht``, ``kein``, ``ne``, ``pas``,
``non``, ``não``, ``niet``, ``geen`` …), numbers and words of time (``gestern``, ``hier``,
``ayer`` …) are in none of them: they are facts, as in English.

A word can be a function word in one language and a content word in English (``die``,
``war``, ``also``, ``man``, ``hat``, ``son``, ``car``). So the lists are never merged: a text
is read in one language, chosen by :func:`language` from the *markers* among its words
(each language's function words that are not also English words; half a marker when English
uses the word only as a name or particle, as ``de`` or ``con``), English unless another
language's markers outnumber the English function words.
"""

from __future__ import annotations

import re

# English function words (what an answer's content words never are), fillers and greetings.
EN = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i i'd i'll i'm i've
    if in into is it it's its itself let's me more most my myself of off on once only or other
    ought our ours ourselves out over own same she she's should so some such than that that's the
    their theirs them themselves then there there's these they they're they've this those through
    to too under until up very was we we're we've were what what's when where which while who
    whom why with would you you'd you'll you're you've your yours yourself yourselves will shall
    may might must just also still even ever much many lot lots get got gets getting go going
    come make really quite pretty one thing things something anything
    everything yes yeah yep ok okay oh ah um uh hmm wow hey hi hello haha lol thanks thank
    please sure well like know think mean guess kind sort maybe actually basically literally
    honestly totally definitely absolutely seriously anyway anyways though although dear
    awesome great cool nice amazing lovely wonderful fantastic glad happy sounds sound right
    good fun love tell told say said says congrats congratulations enough fair sorry
    cheers bye indeed exactly wish hope hear heard
    gonna gotta kinda sorta lemme ya u ur cuz coz tho yknow stuff super im ive youre youve
    theyre thats whats theres hes shes weve omg btw tbh imo yay woah whoa""".split()
)  # (the last two lines: chat spellings of the words above, and chat fillers; a negation typed
#   without its apostrophe, ``dont``, ``cant``, stays, as ``don't`` does)
DE = frozenset(
    """der die das dem den des ein eine einen einem einer eines ich du er sie es wir ihr mich mir
    dich dir sich uns euch ihn ihm ihnen mein meine meinen meinem meiner meines dein deine deinen
    deinem deiner sein seine seinen seinem seiner ihre ihren ihrem ihrer unser unsere unseren
    unserem euer eure dieser diese dieses diesen diesem jener jene man und oder aber denn sondern
    doch dass daß weil wenn als ob obwohl damit sodass bevor nachdem während bis seit in im ins an
    am ans auf aus bei beim mit nach von vom zu zum zur für über unter vor hinter neben zwischen
    durch gegen ohne um bin bist ist sind seid war warst waren wart gewesen sein habe hast hat
    haben habt hatte hattest hatten gehabt werde wirst wird werden werdet wurde wurden worden
    kann kannst können könnt konnte konnten muss musst müssen musste mussten soll sollst sollen
    sollte sollten will willst wollen wollte wollten möchte möchtest möchten darf dürfen würde
    würdest würden wäre wären hätte hätten so auch noch schon nur sehr ganz mal halt eben eigentlich
    einfach echt wirklich ja jaja genau also naja na ach oh äh ähm hm hmm wow hey hi hallo moin
    servus tschüss tschüs ciao danke dankeschön bitte gern gerne okay ok super cool toll klar da
    dort hier dann denn wie was wer wo wohin woher warum wieso weshalb welche welcher welches
    etwas alles alle viel viele mehr sehr immer oft irgendwie irgendwas sowas dabei dafür dazu
    davon damit darauf daran darüber dadurch hin her los lieber grüße""".split()
)
FR = frozenset(
    """le la les l' un une des du de d' au aux ce cet cette ces je j' tu il elle on nous vous ils
    elles me m' te t' se s' moi toi lui leur leurs eux mon ma mes ton ta tes son sa ses notre nos
    votre vos qui que qu' quoi dont où et ou mais donc or car ni si comme quand lorsque puisque
    parce à dans en sur sous avec pour par chez vers entre sans depuis pendant avant après contre
    jusqu' suis es est sommes êtes sont étais était étions étiez étaient été être ai as a avons
    avez ont avais avait avions aviez avaient eu avoir vais vas va allons allez vont fait faire
    peux peut pouvons pouvez peuvent dois doit devons devez doivent veux veut voulons voulez
    veulent c' ça cela ceci celui celle ceux celles y tout tous toute toutes très trop aussi
    encore déjà bien alors puis enfin bon bah ben euh hein ah oh oui ouais si voilà voici salut
    bonjour bonsoir coucou merci s'il plaît stp svp d'accord ok okay super cool génial vraiment
    juste vachement trop assez plutôt tellement quelque quelques chose comment pourquoi combien
    c'est c'était j'ai j'étais il y avait n'est qu'il qu'elle d'un d'une l'on bisous bises quel
    quelle quels quelles lequel laquelle est-ce qu'est-ce n'y""".split()
)
ES = frozenset(
    """el la los las lo un una unos unas de del al a en con por para sin sobre entre hasta desde
    hacia según durante yo tú tu él ella ello nosotros nosotras vosotros vosotras ellos ellas usted
    ustedes me te se nos os le les mi mis tus su sus nuestro nuestra nuestros nuestras vuestro
    vuestra este esta esto estos estas ese esa eso esos esas aquel aquella que qué quien quién
    cual cuál cuando cuándo donde dónde como cómo porque por qué y e o u pero sino si aunque pues
    soy eres es somos sois son era eras éramos eran fui fue fuimos fueron sido ser estoy estás
    está estamos estáis están estaba estaban estado estar he has ha hemos habéis han había
    habían habido haber hay tengo tienes tiene tenemos tienen voy vas va vamos van puedo puede
    podemos pueden quiero quiere muy mucho mucha muchos muchas más también ya todo toda todos
    todas algo así bueno bien pues vale hola adiós chao gracias por favor sí claro ok okay
    vaya oye mira pues eh ah oh ay jaja jajaja genial guay super súper bastante tan tanto realmente
    cosa cosas un poco otro otra otros otras mismo misma""".split()
)
IT = frozenset(
    """il lo la i gli le l' un uno una un' di del dello della dei degli delle a al allo alla ai
    agli alle all' da dal dallo dalla dai dagli dalle in nel nello nella nei negli nelle con su
    sul sullo sulla sui sugli sulle per tra fra io tu lui lei noi voi loro mi ti si ci vi ne me
    te se mio mia miei mie tuo tua tuoi tue suo sua suoi sue nostro nostra nostri nostre vostro
    vostra questo questa questi queste quello quella quelli quelle che chi cui cosa quale quali
    quando dove come perché e ed o od ma però se anche pure quindi allora poi sono sei è siamo
    siete ero era eravamo erano stato stata stati essere ho hai ha abbiamo avete hanno avevo
    aveva avevano avuto avere vado vai va andiamo andate vanno faccio fai fa fanno fatto posso
    puoi può possiamo potete possono voglio vuoi vuole molto molta molti molte tanto tanta
    troppo più già ancora tutto tutta tutti tutte qualcosa così bene ecco ciao salve
    grazie prego sì ok okay dai beh boh eh ah oh mah insomma davvero proprio veramente bello
    bella super c'è c'era dell' nell' sull' dall' quest' quell' po' un po'""".split()
)
PT = frozenset(
    """o a os as um uma uns umas de do da dos das em no na nos nas num numa ao aos à às por pelo
    pela pelos pelas para pra pro com sem sobre entre até desde eu tu você vocês ele ela eles
    elas nós vós me te se lhe lhes meu minha meus minhas teu tua seu sua seus suas nosso nossa
    nossos nossas este esta isto estes estas esse essa isso esses essas aquele aquela aquilo que
    quem qual quais quando onde como porque porquê e ou mas porém se embora pois então sou és é
    somos são era eras éramos eram fui foi fomos foram sido ser estou está estamos estão estava
    estavam estado estar tenho tens tem temos têm tinha tinham tido ter hei há havia vou vai
    vamos vão posso pode podemos podem quero quer muito muita muitos muitas mais também já
    todo toda todos todas tudo algo assim bem bom boa olá oi tchau obrigado obrigada valeu sim
    claro ok okay né tá pois então ah oh eh nossa legal super bastante tão realmente coisa
    outro outra outros outras mesmo mesma""".split()
)
NL = frozenset(
    """de het een 't ik jij je u hij zij ze het wij we jullie hen hun mij me jou ons zich mijn
    jouw uw zijn haar onze ons deze dit die dat wie wat welke waar wanneer hoe waarom en of maar
    want dus omdat als toen terwijl hoewel dan in op aan bij met van voor naar uit over onder
    door tot om tegen zonder tussen na sinds ben bent is zijn was waren geweest heb hebt heeft
    hebben had hadden gehad word wordt worden werd werden kan kun kunt kunnen kon konden moet
    moeten moest wil wilt willen wilde zal zult zullen zou zouden ga gaat gaan ging gingen er
    hier daar nog al ook wel zo heel erg echt gewoon eigenlijk even toch maar best ja jawel hoi
    hallo hey dag doei dank bedankt alsjeblieft graag oké ok okay leuk super gezellig nou hè
    hé oh ah eh hmm zeg iets alles veel meer""".split()
)
# Greetings and interjections every language's chats share.
COMMON = frozenset(
    "ok okay haha hahaha lol hmm hm ah oh eh uh um wow hey hi xd omg btw tbh imo yay woah whoa".split()
)
# Laughs and reactions as typed in any language's chats (a stretched one, ``lmaooo``, is read
# back to its short form first: :mod:`spelling`).
LAUGHS = frozenset(
    """haha hahaha hahahaha hahahahaha ahah ahaha ahahah ahahaha hehe hehehe heh hah lol lolol
    lool lmao lmfao rofl xd xdd kk kkk kkkk jaja jajaja jeje ikr aww aw ugh meh ohh ahh ooh
    oops whoops yikes gosh geez jeez dang woohoo yippee welp mdr ptdr""".split()
)
# Chat spellings of English function words and fillers: a contraction typed without its
# apostrophe (``itll``, ``theyve``; not ``ill``, ``id``, ``shed``, ``wed``, which are words,
# nor a negation, ``dont``), and the abbreviations of a chat.
CHAT_EN = frozenset(
    """u'll u're u've u'd
    itll thatll theyll theyd theyve youd youll hed whos whove wheres hows heres mustve
    couldve wouldve shouldve mightve yall lets wanna dunno yea ye yah nah yup idk rn bc thx
    ty pls plz hbu wbu wyd ttyl brb ngl smh okie okey r w k n b y c""".split()
)

LANGUAGES: dict[str, frozenset[str]] = {
    "de": DE | COMMON,
    "fr": FR | COMMON,
    "es": ES | COMMON,
    "it": IT | COMMON,
    "pt": PT | COMMON,
    "nl": NL | COMMON,
}
# Function words of those languages that are also English words (or common English names
# and particles): never evidence that a text is not English.
ENGLISH_LOOKALIKES = frozenset(
    """a an am as at be bin by car come con den des die do door doe e el en er es fa had has hat
    he hem her hi hin his hoe i in is la le les lo los lui ma man me mi mine my no non nos o on
    or over per pour se sale si so son sole te ten the to tot tu u un up us va war was we will
    wo ya ye yo al da de del di dove ho ok okay pro pra sin sun tan tea the her here just te tra
    ne ni ca come bene bello bella fine ben best dank door even graag hey oh ah hmm wow dat mag
    haha lol xd hm uh um eh super cool bien bon bah ben mais ou il elle van dan encore voila voilà
    chose era has ha hay mira mucho todo dal io lei ci vi mia sue che chi ed pure ciao uno os
    num com sem eu boa oi legal hen hun of want met op om word wil wilt wilde heel erg dag dir im
    ins ans aus von hast mal halt toll comment mon est tout ai bom sole tin pour dire fin sue nu
    ton tons mes ses par pas plus sur les des une vie type mais quasi vers au pendant also bent
    dos em et nas oft sans sim sous sus ta tens tue han genial favor algo mit na""".split()
)
# Of those, the ones English uses only as names, particles or abbreviations ("de", "la", "con",
# "mi", "al"): half a marker each, so "al mercado con mi hermana" reads as Spanish while "Café
# de la Paix" in an English sentence does not.
HALF_MARKERS = frozenset(
    """con des el en es hin la le les lo los lui ma mi non nos se si te tu un va wo yo al da de
    del di ho pra tra ne ni ca bene bello bella graag dat bien bon mais ou il elle van dan voila
    voilà mira mucho dal io lei ci vi mia che chi ed ciao uno os num com sem eu op om wil erg dag
    dir im ans aus von mal est tout bom nu mes ses pas sur une vers au super ya""".split()
)
_ORDER = {lang: i for i, lang in enumerate(LANGUAGES)}
_PUNCT = '.,;:!?()[]{}<>"`*“”‘…«»¿¡„'  # around a word (not its apostrophes)
_APOSTROPHE = str.maketrans({"’": "'"})
_ELISION = re.compile(
    r"(?:l|d|j|m|t|s|c|n|qu|jusqu|lorsqu|puisqu|un|dell|nell|sull|dall|all|quest|quell)['’](?=\w)", re.I
)


def _weigh() -> dict[str, tuple[float, tuple[str, ...]]]:
    """Each marker word: its weight and the languages it marks. A function word English does
    not use is a whole marker; one English uses as a name, a particle or a content word
    (``de``, ``con``, ``war``, ``hat``) half of one; one that is also an English function word
    (``in``, ``was``) none."""
    out: dict[str, list[str]] = {}
    for lang, words in LANGUAGES.items():
        for w in words - COMMON:
            if len(w) > 1 or not w.isascii():  # "y", "e", "o" are letters in English text
                out.setdefault(w, []).append(lang)
    weighed: dict[str, tuple[float, tuple[str, ...]]] = {}
    for w, langs in out.items():
        if w not in ENGLISH_LOOKALIKES:
            weighed[w] = (1.0, tuple(langs))
        elif w in HALF_MARKERS or w not in EN:
            weighed[w] = (0.5, tuple(langs))
    return weighed


_MARKERS = _weigh()
_WHOLE = frozenset(w for w, (weight, _) in _MARKERS.items() if weight == 1.0)
_WHOLE = _WHOLE | frozenset(w.capitalize() for w in _WHOLE)  # a text without one is English
_ENGLISH_ONLY = EN.difference(*LANGUAGES.values())  # English function words no other has


def language(words: list[str], text: str | None = None) -> str:
    """``en``, ``de``, ``fr``, ``es``, ``it``, ``pt`` or ``nl`` for a text's ``words`` (as
    split; ``text``, when given, saves looking for an elision when it has no apostrophe):
    the language with the most marker weight, if one of its whole markers is there and its weight outnumbers the
    English function words no other language shares (two markers, or one and a half with no
    English word: ``Und dir?``)."""
    if _WHOLE.isdisjoint(words):  # most text: English at the speed of a set operation
        if text is not None and not _has_elision(text):
            return "en"
        if text is None and not any(_ELISION.match(w) for w in words if "'" in w or "’" in w):
            return "en"  # an elision is a marker too: l'école
    markers = _MARKERS
    only = _ENGLISH_ONLY
    counts: dict[str, float] = {}
    whole: set[str] = set()
    en = 0
    for w in words:
        w = w.strip(_PUNCT).lower()
        found = markers.get(w)
        if found is None:
            if w in only:
                en += 1
            elif "'" in w or "’" in w:
                w = normalise(w)
                m = _ELISION.match(w)
                found = markers.get(w) or (markers.get(m.group(0)) if m else None)
        if found:
            weight, langs = found
            for lang in langs:
                counts[lang] = counts.get(lang, 0.0) + weight
                if weight == 1.0:
                    whole.add(lang)
    if not whole:
        return "en"
    best = max(whole, key=lambda k: (counts[k], -_ORDER[k]))  # ties: the first listed
    n = counts[best]
    return best if (n >= 2 and n > en) or (n >= 1.5 and en == 0) else "en"


_HEADS = frozenset("l d j m t s c n qu jusqu lorsqu puisqu un dell nell sull dall all quest quell".split())


def _has_elision(text: str) -> bool:
    """Whether ``text`` holds a French or Italian elision (``l'école``, ``qu’il``): a few
    string searches for English text, whose apostrophes sit inside words (``don't``)."""
    if "'" not in text and "’" not in text:
        return False
    for quote in ("'", "’"):
        i = text.find(quote)
        while i > 0:
            j = i
            while j > 0 and i - j < 7 and text[j - 1].isalpha():
                j -= 1
            if text[j:i].lower() in _HEADS and text[i + 1 : i + 2].isalpha():
                return True
            i = text.find(quote, i + 1)
    return False


def normalise(word: str) -> str:
    """A lowercase word with a typographic apostrophe made plain (``qu’il`` → ``qu'il``)."""
    return word.lower().translate(_APOSTROPHE)


def elided(word: str) -> tuple[str, str]:
    """``("l'", "école")`` from ``l'école`` (French and Italian elisions), else ``("", word)``."""
    m = _ELISION.match(word)
    if m is None:
        return "", word
    return m.group(0), word[m.end() :]
