"""The search normaliser: our own table, plus the shared Persian test vectors where they apply."""

import re
from pathlib import Path

import pytest

from masthead.search.normalise import FIELD_END, index_text, normalise

VECTORS = Path(__file__).resolve().parents[4] / "shared/fixtures/persian/normalization"

# (what a reader or a writer may type, what the index keeps)
TABLE = [
    ("كتاب", "کتاب"),  # Arabic kaf
    ("ايران", "ایران"),  # Arabic yeh
    ("مصطفى", "مصطفی"),  # alef maksura
    ("می\u200cخواهم", "میخواهم"),  # zero-width non-joiner
    ("میخواهم", "میخواهم"),
    ("كِتابٌ", "کتاب"),  # kasra, dammatan
    ("مُحَمَّد", "محمد"),  # damma, fatha, shadda
    ("رحمٰن", "رحمن"),  # superscript alef
    ("بســيار", "بسیار"),  # tatweel
    ("أحمد إيران آب ٱلله", "احمد ایران اب الله"),  # alef variants
    ("مؤسسه", "موسسه"),  # waw with hamza
    ("مسئله", "مسیله"),  # yeh with hamza
    ("خانهٔ", "خانه"),  # hamza above
    ("خانۀ", "خانه"),  # heh with yeh above
    ("مدرسة", "مدرسه"),  # teh marbuta
    ("۱۴۰۴", "1404"),  # Persian digits
    ("١٤٠٤", "1404"),  # Arabic-Indic digits
    ("ﻻ", "لا"),  # presentation form (lam-alef ligature)
    ("ﻛﺘﺎﺏ", "کتاب"),  # presentation forms of each letter
    ("Election Night", "Election Night"),  # English is left to the backend
    ("ﬁnance", "finance"),  # compatibility ligature
    ("  two\u00a0 spaces ", "two spaces"),
    ("", ""),
]


@pytest.mark.parametrize(("typed", "kept"), TABLE)
def test_table(typed, kept):
    assert normalise(typed) == kept


@pytest.mark.parametrize(("typed", "_kept"), TABLE)
def test_idempotent(typed, _kept):
    assert normalise(normalise(typed)) == normalise(typed)


def test_both_keyboards_spell_a_sentence_alike():
    arabic_keyboard = "مي\u200cخواهم كتابِ ١٤٠٤ را بخوانم"
    persian_keyboard = "میخواهم کتاب ۱۴۰۴ را بخوانم"
    assert normalise(arabic_keyboard) == normalise(persian_keyboard)


def test_index_text_ends_each_field_with_a_mark_no_query_can_hold():
    assert index_text("كتاب") == f"کتاب {FIELD_END}"
    assert index_text("") == ""
    assert FIELD_END not in normalise(FIELD_END)


# Shared vectors --------------------------------------------------------------------------

# The vectors are for a reading normaliser, which keeps distinctions that search folds
# away (alef with madda, heh with hamza). What search needs of them: the vector's input and
# its output are found by the same query, i.e. fold to the same key. Only the sections for
# letters a Persian reader types are used; the rest (Pashto, Sindhi, Kurdish letters built
# from dots and rounded stops) are not Persian spelling variants.
RELEVANT_SECTIONS = {
    "LAM-ALEF",
    "FARSI YEH",
    "KEHEH",
    "KAF → KEHEH",
    "YEH → FARSI YEH",
    "TEH MARBUTA",
    "WAW",
    "HEH",
    "HEH GOAL → HEH",
    "HEH, HAMZA ABOVE → HEH GOAL WITH HAMZA ABOVE",
    "FARSI YEH, HAMZA ABOVE → YEH WITH HAMZA ABOVE",
}
REWRITE = re.compile(r'rewrite \{ rule: "FA" input: "([^"]*)" output: "([^"]*)" \}')


def shared_vectors():
    if not VECTORS.is_dir():
        return []
    found = []
    for path in sorted(VECTORS.glob("nisaba-testdata-*_norm.textproto")):
        section = None
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("# ") and not line.startswith("# rewrite"):
                section = line[2:].strip()
            match = REWRITE.match(line)
            if match and section in RELEVANT_SECTIONS:
                found.append(pytest.param(*match.groups(), id=f"{path.stem}:{match[1]}"))
    return found


SHARED = shared_vectors()


@pytest.mark.skipif(not SHARED, reason="shared Persian fixtures are not present")
@pytest.mark.parametrize(("given", "expected"), SHARED)
def test_shared_vector_folds_alike(given, expected):
    assert normalise(given) == normalise(expected)


@pytest.mark.skipif(not SHARED, reason="shared Persian fixtures are not present")
def test_shared_vectors_cover_yeh_and_kaf():
    kaf_and_yeh = [p.values for p in SHARED if "ك" in p.values[0] or "ي" in p.values[0]]
    assert len(kaf_and_yeh) >= 5
    for given, expected in kaf_and_yeh:
        assert normalise(given) == normalise(expected) == expected.replace("\u200c", "")
