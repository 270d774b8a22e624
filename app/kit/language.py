"""The language of a page: the one it declares, else py3langid's verdict (its model ships in the
wheel; nothing downloads), kept from calling short English texts something else.

py3langid reads "Kenya and Uganda signed a pact on Friday in Kampala." as Luganda: in a
sentence that short, African and Asian place names outweigh the English words around them.
So where py3langid names another language without much confidence, or the text is short,
a text whose words are mostly English stays English.

py3langid cannot tell Serbian, Bosnian and Croatian apart in the Latin script (one language,
three standards): a text py3langid gives to one of them is Serbian when it is written in
Cyrillic or in the ekavian pronunciation ("reč", "vreme", "predsednik") standard Serbian
uses, where Bosnian and Croatian write "riječ", "vrijeme", "predsjednik".
"""

import re
from functools import cache
from importlib import resources

import pycountry
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from app import countries

_LETTERS = re.compile(r"[^\W\d_]+", re.UNICODE)
_TAG = re.compile(r"([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*")
_UNDECLARED = {"und", "mul", "zxx", "mis"}  # BCP 47: undetermined, several, none, uncoded
_SAMPLE = 1500  # characters read: ~250 words tell any language; py3langid costs by length

CONFIDENT = 0.9  # py3langid's probability from which its verdict on a longer text stands
SHORT = 40  # words: below this, English words outvote py3langid whatever its confidence
ENGLISH_SHARE = 0.75  # of the words that belong to a language (names belong to none)
ENGLISH_LEAST = 3  # English words, at least, before a text is called English on its words
_SERBO_CROATIAN = frozenset({"sr", "bs", "hr"})
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_EKAVIAN = re.compile(
    r"\b(?:predsedni\w*|reč\w*|vreme\w*|dve|posle|mest[oau]\w*|uvek|lep[aeio]\w*|sedišt\w*"
    r"|nedelj\w*|sever\w*|ovde|gde|mesec\w*|primer\w*|odeljenj\w*|ponedeljak|cen[aeu])\b",
    re.I,
)
_IJEKAVIAN = re.compile(
    r"\b(?:predsjedni\w*|riječ\w*|vrijeme\w*|dvije|poslije|mjest[oau]\w*|uvijek|lijep\w*"
    r"|sjedišt\w*|nedjelj\w*|sjever\w*|ovdje|gdje|mjesec\w*|primjer\w*|odjel\w*|ponedjeljak"
    r"|cijen\w*|prije)\b",
    re.I,
)
# "signed", "drills", "training", "agreed", "parties": a word with an ending taken off
_ENDINGS = (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("d", ""), ("ing", ""), ("ing", "e"))


def declared_language(value: object) -> str | None:
    """The language a page or request declares, as its primary subtag ('en-GB' -> 'en');
    None when there is none or it says nothing ('und')."""
    if not isinstance(value, str):
        return None
    match = _TAG.fullmatch(value.strip())
    if match is None or match.group(1).lower() in _UNDECLARED:
        return None
    return match.group(1).lower()


def detect_language(text: str, declared: object = None) -> str | None:
    """ISO 639-1 code of the text's language (the declared one, when there is one), or None
    when there is too little text to tell."""
    given = declared_language(declared)
    if given:
        return given
    sample = text[:_SAMPLE]
    words = _LETTERS.findall(sample)
    if len(words) < 3:
        return None
    code, confidence = _identifier().classify(sample)
    if code != "en" and (confidence < CONFIDENT or len(words) < SHORT) and reads_as_english(words):
        return "en"
    if code in _SERBO_CROATIAN:
        return _serbo_croatian(sample, str(code))
    return str(code)


def _serbo_croatian(text: str, verdict: str) -> str:
    """Serbian where the script or the pronunciation says so; else py3langid's verdict."""
    letters = _LETTERS.findall(text)
    cyrillic = sum(1 for word in letters if _CYRILLIC.match(word))
    if cyrillic * 2 > len(letters):
        return "sr"
    if len(_EKAVIAN.findall(text)) > len(_IJEKAVIAN.findall(text)):
        return "sr"
    return verdict


def reads_as_english(words: list[str]) -> bool:
    """Whether most of these words are English: common words and country names count for
    English; other capitalised words are names, which belong to no language."""
    english = other = 0
    for word in words:
        if _is_english(word):
            english += 1
        elif not word[:1].isupper():
            other += 1
    return english >= ENGLISH_LEAST and english >= ENGLISH_SHARE * (english + other)


def _is_english(word: str) -> bool:
    if word in _country_words():
        return True
    lower = word.lower()
    vocabulary = _english_words()
    if lower in vocabulary:
        return True
    return any(
        lower.endswith(suffix)
        and len(lower) > len(suffix) + 2
        and lower[: -len(suffix)] + replacement in vocabulary
        for suffix, replacement in _ENDINGS
    )


@cache
def _identifier() -> LanguageIdentifier:
    """py3langid with probabilities that sum to one, so that its confidence can be read."""
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@cache
def _english_words() -> frozenset[str]:
    words: set[str] = set()
    for path in ("search/data/stopwords.txt", "ingest/data/english.txt"):
        raw = resources.files("app").joinpath(path).read_text(encoding="utf-8")
        words.update(line.strip() for line in raw.splitlines() if not line.startswith("#"))
    words.discard("")
    return frozenset(words)


@cache
def _country_words() -> frozenset[str]:
    """The capitalised words of the countries' English names and aliases ('Kenya', 'Korea')."""
    names: list[str] = [n for found in countries.aliases().values() for n in found]
    for record in pycountry.countries:
        country = countries.get(record.alpha_3)
        names += [record.name, country.name if country else ""]
    return frozenset(
        w for n in names for w in _LETTERS.findall(n) if w[:1].isupper() and len(w) > 1
    )
