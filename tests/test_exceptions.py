"""Messages are one line a terminal shows as it is, and never echo a value at length.

Worked examples first (each expected string written out by hand), then the properties over
any text: no control, format or separator character and no lone surrogate survives, and a
limit is kept within the few characters of the note that says how much was cut.
"""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from finmodel.exceptions import ECHO_LIMIT, FILE_LIMIT, InputError, printable, shown

ESCAPED = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def clean(text: str) -> bool:
    return not any(unicodedata.category(c) in ESCAPED for c in text)


def test_worked_examples():
    assert printable("plain text, accents: déjà vu") == "plain text, accents: déjà vu"
    assert printable("red \x1b[31m") == "red \\x1b[31m"
    assert printable("two\nlines\r") == "two\\nlines\\r"
    assert printable("bidi \u202e override") == "bidi \\u202e override"
    assert printable("half \ud800 pair") == "half \\ud800 pair"
    # a limit of 20 keeps (20 - 12) // 2 = 4 characters each side and notes the 92 cut
    assert printable("a" * 50 + "b" * 50, limit=20) == "aaaa...(92 more)...bbbb"
    assert shown("half") == "'half'"
    assert shown(12.5) == "12.5"
    assert shown("x" * 1000, limit=10) == "'xxxxx'... (1,000 characters)"
    assert shown(10**70) == "1" + "0" * 70  # 233 bits: short enough to print
    assert shown(-(10**100)) == "an integer of 101 digits"  # 333 bits: described


def test_a_huge_integer_is_described_not_printed():
    # Python refuses to turn an integer of more than 4,300 digits into text at all
    assert shown(10**5000) == "an integer of 5,001 digits"
    assert shown(-(10**20000)) == "an integer of 20,001 digits"


def test_an_error_is_one_clean_line_whatever_its_parts_hold():
    e = InputError("bad \x07 value\nsecond line", file="a\x1b[2Jb.yaml", line=3, field="x\ny")
    assert str(e) == "a\\x1b[2Jb.yaml:3: x\\ny: bad \\x07 value\\nsecond line"


@given(st.text(st.characters(codec=None)))
def test_printable_leaves_no_character_a_terminal_would_act_on(text):
    out = printable(text)
    assert clean(out)
    if clean(text):
        assert out == text  # nothing to escape: unchanged


@given(st.text(st.characters(codec=None), max_size=3000), st.integers(20, 400))
def test_printable_keeps_its_limit(text, limit):
    out = printable(text, limit)
    if len(text) <= limit:
        assert out == printable(text)  # nothing cut
        return
    # the cut keeps 2 * ((limit - 12) // 2) characters and a note of at most 15 (up to
    # 9,999 cut); an escape writes a kept character in at most 10 (\U0010ffff)
    assert f"...({len(text) - 2 * ((limit - 12) // 2)} more)..." in out
    assert len(out) <= (limit + 3 if clean(text) else 10 * limit + 15)


@given(st.text(st.characters(codec=None), max_size=10**4))
def test_shown_is_short_and_clean(text):
    out = shown(text)
    assert clean(out)
    assert len(out) <= 10 * ECHO_LIMIT + 40


@given(st.text(st.characters(codec=None), max_size=5000))
def test_input_errors_cut_a_long_file_name(name):
    e = str(InputError("no such file", file=name))
    assert clean(e)
    assert len(e) <= 10 * FILE_LIMIT + 60
