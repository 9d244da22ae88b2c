"""One normaliser for the search index and for queries, so both spell words alike.

Persian is typed on Arabic and Persian keyboards, with or without vowel marks, with or
without the zero-width non-joiner between a word's parts, with three kinds of digits. A
reader must find an article however either side typed it, so both sides are folded to one
spelling here. English passes through unchanged apart from compatibility forms (ligatures,
full-width letters); case and stemming are the search backend's business.
"""

import re
import unicodedata

# Letters that Arabic keyboards and older texts use where Persian has its own, and
# variants that a reader does not distinguish when searching.
_LETTERS = {
    "\u064a": "\u06cc",  # ARABIC YEH -> FARSI YEH
    "\u0649": "\u06cc",  # ALEF MAKSURA -> FARSI YEH
    "\u0626": "\u06cc",  # YEH WITH HAMZA ABOVE -> FARSI YEH
    "\u0643": "\u06a9",  # ARABIC KAF -> KEHEH
    "\u06aa": "\u06a9",  # SWASH KAF -> KEHEH
    "\u0623": "\u0627",  # ALEF WITH HAMZA ABOVE -> ALEF
    "\u0625": "\u0627",  # ALEF WITH HAMZA BELOW -> ALEF
    "\u0622": "\u0627",  # ALEF WITH MADDA ABOVE -> ALEF
    "\u0671": "\u0627",  # ALEF WASLA -> ALEF
    "\u0672": "\u0627",  # ALEF WITH WAVY HAMZA ABOVE -> ALEF
    "\u0673": "\u0627",  # ALEF WITH WAVY HAMZA BELOW -> ALEF
    "\u0624": "\u0648",  # WAW WITH HAMZA ABOVE -> WAW
    "\u0629": "\u0647",  # TEH MARBUTA -> HEH
    "\u06c3": "\u0647",  # TEH MARBUTA GOAL -> HEH
    "\u06c0": "\u0647",  # HEH WITH YEH ABOVE (ezafe) -> HEH
    "\u06c1": "\u0647",  # HEH GOAL -> HEH
    "\u06c2": "\u0647",  # HEH GOAL WITH HAMZA ABOVE -> HEH
    "\u06d5": "\u0647",  # AE -> HEH
    "\u06be": "\u0647",  # HEH DOACHASHMEE -> HEH
}

# Persian (U+06F0..) and Arabic-Indic (U+0660..) digits -> ASCII.
_DIGITS = {0x06F0 + n: str(n) for n in range(10)} | {0x0660 + n: str(n) for n in range(10)}

# Marks that change neither meaning for a searcher nor how a word is looked up: harakat,
# tanwin, shadda, sukun, hamza marks above and below, superscript alef, Quranic annotation
# signs, the tatweel that stretches a word, and the invisible joiners and direction marks.
_DROPPED = (
    [chr(c) for c in range(0x0610, 0x061B)]  # honorific and small high signs
    + [chr(c) for c in range(0x064B, 0x0660)]  # tanwin, harakat, shadda, sukun, hamza marks
    + ["\u0670"]  # superscript (dagger) alef
    + [chr(c) for c in range(0x06D6, 0x06EE)]  # Quranic annotation marks
    + ["\u0640"]  # tatweel
    + ["\u200c", "\u200d"]  # zero-width non-joiner and joiner: "می‌خواهم" == "میخواهم"
    + ["\u200b", "\u200e", "\u200f", "\u061c", "\u00ad", "\ufeff"]  # invisible marks
)

_TABLE = str.maketrans(
    {**{ord(k): v for k, v in _LETTERS.items()}, **_DIGITS, **dict.fromkeys(map(ord, _DROPPED))}
)

# str.translate looks every character of non-ASCII text up in the table one by one (2 ms
# for a 5,000-character Persian article); a character class finds the few that change.
_FOLDED = re.compile("[" + "".join(re.escape(chr(code)) for code in _TABLE) + "]")


def _fold(text: str) -> str:
    """Apply _TABLE (what str.translate(_TABLE) gives), visiting only what changes."""
    return _FOLDED.sub(lambda match: _TABLE[ord(match.group())] or "", text)


def normalise(text: str) -> str:
    """Fold `text` to the spelling the search index keeps; idempotent, never raises on str."""
    if not text:
        return ""
    # NFKC first: Arabic presentation forms (isolated, final, lam-alef ligatures) become
    # plain letters, which the table below then folds.
    folded = _fold(unicodedata.normalize("NFKC", str(text)))
    # Dropping a mark can leave a letter that NFKC would have composed differently; a
    # second pass keeps the function idempotent.
    folded = _fold(unicodedata.normalize("NFKC", folded))
    # split() and join() collapse whitespace as re's \s+ does (str.isspace), much faster.
    return " ".join(folded.split())


# Wagtail's database backends index all of an article's fields as one text, so the last
# word of one field and the first of the next would count as a phrase ("Free" + "Press
# releases…" matching "free press"). ROMAN NUMERAL ONE ends each field: SQLite's and
# PostgreSQL's tokenizers both keep it as a word of its own, and no query can contain it,
# because queries go through NFKC, which turns it into the letter "I".
FIELD_END = "\u2160"


def index_text(text: str) -> str:
    """Normalise one field's text for the index and mark where it ends."""
    folded = normalise(text)
    return f"{folded} {FIELD_END}" if folded else ""
