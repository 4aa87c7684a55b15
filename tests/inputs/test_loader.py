"""Reading assumption files: work bounded by the limits, and a merge that is linear.

Each limit of :mod:`finmodel.limits` is tested at its edge: exactly at the limit a file is
read, one past it the file is refused with an :class:`InputError` naming it (never a
RecursionError, a MemoryError or a ValueError). The bad-input cases in test_bad_input.py run
the same attacks through the command line.

The merge of an ``extends`` chain was quadratic (each key of a file searched every key path
read so far); it is now linear. :func:`reference_merge` is the quadratic merge as it was,
kept as a plain second implementation: for random chains of files both give the same data
and the same origins, in the same order (the order decides which neighbour an error blames).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finmodel import limits
from finmodel.exceptions import InputError
from finmodel.inputs import yaml_reader
from finmodel.inputs.loader import load_with_origins
from finmodel.inputs.merge import REPLACED_WHOLE, Origins, merge
from finmodel.inputs.yaml_reader import read_yaml

BASE = Path(__file__).resolve().parents[2] / "assumptions" / "base.yaml"


def read(tmp: Path, text: str) -> dict:
    """``text`` read as an assumption file's YAML (no validation)."""
    p = tmp / "f.yaml"
    p.write_text(text, encoding="utf-8")
    return read_yaml(p, p.read_bytes())[0]


# --- nesting ------------------------------------------------------------------------------------


def flow(k: int) -> str:
    """A file whose value is k lists inside one another: the top mapping is level 1, the
    innermost list level k + 1."""
    return "x: " + "[" * k + "]" * k + "\n"


def block(k: int) -> str:
    """A file of k mappings inside one another, block style, the last holding ``v: 1``: the
    innermost mapping is level k + 1, the number in it level k + 2 (a value is a level too)."""
    return "".join(" " * i + f"k{i}:\n" for i in range(k)) + " " * k + "v: 1\n"


@settings(max_examples=40, deadline=None)
@given(k=st.integers(1, 3 * limits.MAX_DEPTH), style=st.sampled_from([flow, block]))
def test_nesting_is_read_up_to_the_limit_and_refused_past_it(tmp_path_factory, k, style):
    tmp = tmp_path_factory.mktemp("nest")
    text = style(k)
    deepest = k + 1 if style is flow else k + 2
    if deepest <= limits.MAX_DEPTH:
        assert read(tmp, text)
    else:
        with pytest.raises(InputError, match="nest deeper than the limit of 32"):
            read(tmp, text)


def test_5000_brackets_are_refused_not_a_recursion_error(tmp_path):
    with pytest.raises(InputError, match="nest deeper"):
        read(tmp_path, flow(5000))


# --- aliases ------------------------------------------------------------------------------------


def aliases(n: int) -> str:
    """A list of one value and n aliases to it: each alias repeats two values (the list and
    the number in it)."""
    return "a: &a [1]\nb: [" + ", ".join(["*a"] * n) + "]\n"


def test_aliases_may_repeat_up_to_the_limit():
    n = limits.MAX_ALIAS_VALUES // 2  # 2 values each: exactly the limit
    assert len(read_text(aliases(n))["b"]) == n


def test_aliases_past_the_limit_are_refused():
    with pytest.raises(InputError, match="aliases repeat more values than the limit of 10,000"):
        read_text(aliases(limits.MAX_ALIAS_VALUES // 2 + 1))


def test_a_billion_laughs_stops_at_the_budget(tmp_path):
    # 9 levels of 9 aliases: 387,420,489 strings if expanded; refused after 10,000 repeats
    rows = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    rows += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    with pytest.raises(InputError, match="aliases repeat"):
        read(tmp_path, "\n".join(rows) + "\n")


def laughs(levels: int, fan: int) -> str:
    """a0 a list of ``fan`` texts; each next level a list of ``fan`` aliases to the last."""
    rows = ["a0: &a0 [" + ", ".join(["lol"] * fan) + "]"]
    rows += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * fan) + "]" for i in range(1, levels)]
    return "\n".join(rows) + "\n"


def repeats(levels: int, fan: int) -> int:
    """Values met again walking :func:`laughs`: a level's list holds ``fan`` copies of the
    level below, each met before under its own key. A level of size s(i) = 1 + fan * s(i-1),
    with s(0) = 1 + fan, repeats fan * s(i - 1) values."""
    size, total = 1 + fan, 0
    for _ in range(1, levels):
        total += fan * size
        size = 1 + fan * size
    return total


@settings(max_examples=60, deadline=None)
@given(levels=st.integers(1, 9), fan=st.integers(1, 12))
def test_aliases_are_read_within_the_budget_and_refused_past_it(levels, fan):
    if repeats(levels, fan) <= limits.MAX_ALIAS_VALUES:
        assert read_text(laughs(levels, fan))[f"a{levels - 1}"] is not None
    else:
        with pytest.raises(InputError, match="aliases repeat more values than the limit"):
            read_text(laughs(levels, fan))


def test_the_shipped_base_case_uses_aliases_within_the_budget():
    assert load_with_origins(BASE).assumptions.vehicles["us_led_fund"].term_years == 20


def read_text(text: str) -> dict:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        return read(Path(d), text)


# --- integers, dates ----------------------------------------------------------------------------


def test_an_integer_of_4300_digits_is_read_and_one_more_is_refused(tmp_path):
    assert read(tmp_path, "n: " + "9" * 4300 + "\n")["n"] == 10**4300 - 1
    with pytest.raises(InputError, match="4,301 digits, past the limit of 4,300") as e:
        read(tmp_path, "m: 1\nn: " + "9" * 4301 + "\n")
    assert e.value.line == 2


@pytest.mark.parametrize("date", ["2026-02-30", "2026-13-01", "0000-01-01"])
def test_a_date_that_does_not_exist_is_bad_input_at_its_line(tmp_path, date):
    with pytest.raises(InputError, match=f"cannot read '{date}'") as e:
        read(tmp_path, f"a: 1\nstart: {date}\n")
    assert e.value.line == 2


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [("1:30", "base-60", "90"), ("-1:00:00", "base-60", "-3600"), ("1:30.5", "base-60", "90.5"),
     ("010", "octal", "8"), ("+0755", "octal", "493"), ("0_10", "octal", "8")],
)  # fmt: skip
def test_numbers_yaml_11_reads_unlike_their_writer_are_refused_at_their_line(tmp_path, text, kind,
                                                                             value):
    # YAML 1.1 reads 1:30 as 1 * 60 + 30 = 90 and 010 as octal 1 * 8 + 0 = 8; +0755 is
    # 7 * 64 + 5 * 8 + 5 = 493; 1:30.5 is 90.5: numbers nobody who typed them meant.
    with pytest.raises(InputError, match=f"reads as an? {kind} number in YAML \\({value}\\)") as e:
        read(tmp_path, f"a: 1\nyears: {text}\n")
    assert e.value.line == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [("'1:30'", "1:30"), ("10", 10), ("0", 0), ("0x10", 16), ("1_000", 1000), ("0.5", 0.5),
     ("1e-3", 0.001), ("12:30 pm", "12:30 pm")],
)  # fmt: skip
def test_quoted_text_and_plain_numbers_read_as_written(tmp_path, text, expected):
    assert read(tmp_path, f"v: {text}\n")["v"] == expected


# --- size, chains, files that are not files -----------------------------------------------------


def test_a_scenario_of_exactly_the_size_limit_is_read(tmp_path):
    text = BASE.read_text(encoding="utf-8")
    pad = limits.MAX_FILE_BYTES - len(text.encode()) - 2
    p = tmp_path / "big.yaml"
    p.write_text(text + "#" + "x" * pad + "\n", encoding="utf-8")
    assert p.stat().st_size == limits.MAX_FILE_BYTES
    assert load_with_origins(p).assumptions.name == "base"


def chain(tmp: Path, files: int) -> Path:
    """``files`` files: the base case, then c0.yaml extending it, c1 extending c0..."""
    (tmp / "c0.yaml").write_text(f"extends: {BASE}\n")
    for i in range(1, files - 1):
        (tmp / f"c{i}.yaml").write_text(f"extends: c{i - 1}.yaml\ndiscount_rate: 0.0{i % 10}\n")
    return tmp / f"c{files - 2}.yaml"


def test_a_chain_of_exactly_the_limit_is_read(tmp_path):
    loaded = load_with_origins(chain(tmp_path, limits.MAX_EXTENDS))
    assert len(loaded.files) == limits.MAX_EXTENDS


def test_a_chain_of_a_thousand_files_is_refused_at_the_limit(tmp_path):
    with pytest.raises(InputError, match="chain longer than the limit of 16") as e:
        load_with_origins(chain(tmp_path, 1000))
    assert e.value.file.endswith(f"c{1000 - 2 - 15}.yaml")  # the 16th file from the top


def test_the_parser_tripping_is_bad_input_naming_the_file(tmp_path, monkeypatch):
    # whatever the parser trips on in a file (here a RecursionError planted in the walk over
    # its nodes) is that file's content: an InputError naming it, not an internal error
    def trip(*args: Any) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(yaml_reader, "_walk", trip)
    p = tmp_path / "f.yaml"
    p.write_text("a: 1\n")
    with pytest.raises(InputError, match="cannot be read: RecursionError") as e:
        load_with_origins(p)
    assert e.value.file == str(p)


# --- the merge: linear, and the same as the quadratic one it replaced -----------------------------

WHOLE = REPLACED_WHOLE


def reference_merge(base: Any, over: Any, base_origins: dict, over_origins: dict, path=()) -> Any:
    """The merge as it was (quadratic: every key searches all the origins): the reference."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            sub = (*path, k)
            if v is None:
                out.pop(k, None)
                for p in [p for p in base_origins if p[: len(sub)] == sub]:
                    del base_origins[p]
                base_origins.update({p: o for p, o in over_origins.items() if p[: len(sub)] == sub})
                continue
            if k in base and isinstance(base[k], dict) and isinstance(v, dict) and k not in WHOLE:
                base_origins[sub] = over_origins.get(sub, base_origins.get(sub))
                out[k] = reference_merge(base[k], v, base_origins, over_origins, sub)
            else:
                for p in [p for p in base_origins if p[: len(sub)] == sub]:
                    del base_origins[p]
                base_origins.update({p: o for p, o in over_origins.items() if p[: len(sub)] == sub})
                out[k] = v
        return out
    return over


def lines_of(doc: Any, path: tuple = (), out: dict | None = None) -> dict:
    """Each key path of ``doc`` with a line, in the order the loader's walk meets them."""
    out = {} if out is None else out
    if isinstance(doc, dict):
        items = list(doc.items())
    else:
        items = list(enumerate(doc)) if isinstance(doc, list) else []
    for k, v in items:
        out[(*path, k)] = len(out) + 1
        lines_of(v, (*path, k), out)
    return out


keys = st.sampled_from(["a", "b", "c", "profit_split", "d"])
leaves = st.one_of(st.none(), st.integers(0, 9), st.lists(st.integers(0, 9), max_size=3))
docs = st.recursive(
    leaves, lambda inner: st.dictionaries(keys, inner, max_size=4), max_leaves=25
).filter(lambda d: isinstance(d, dict))


@settings(max_examples=300, deadline=None)
@given(files=st.lists(docs, min_size=1, max_size=4))
def test_the_linear_merge_equals_the_quadratic_one(files):
    # files[0] is the base, each next file extends the one before; merged bottom up as the
    # loader does, the newest file's data over all that it extends
    ref_data = files[0]
    ref_origins = {p: ("f0", n) for p, n in lines_of(files[0]).items()}
    data = files[0]
    tree = Origins.of(lines_of(files[0]), "f0", rank=-len(files))
    for i, doc in enumerate(files[1:], start=1):
        lines = lines_of(doc)
        ref_data = reference_merge(ref_data, doc, ref_origins, {p: (f"f{i}", n)
                                   for p, n in lines.items()})  # fmt: skip
        data = merge(data, doc, tree, Origins.of(lines, f"f{i}", rank=-len(files) + i))
    assert data == ref_data
    assert list(tree.flat().items()) == list(ref_origins.items())
