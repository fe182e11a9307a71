"""The notation table (tests/data/notation.tsv): what a student types, read exactly as meant or
refused with the fix (issue 23, "no silent misreading").

Each line is `typed<TAB>meant`, where `meant` is SymPy's syntax (or a line around it: `d/dx …`,
`y = …`, `dy/dx = …`) and both must be read alike, or `typed<TAB>refused<TAB>fragment<TAB>column`:
a ParseError whose message has the fragment, at that column. Lines starting with # are
headings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sympy as sp

from chainrule_cli.errors import ParseError
from chainrule_cli.parse import parse, read

ROWS = [
    line.rstrip("\n").split("\t")
    for line in (Path(__file__).parent / "data" / "notation.tsv").open(encoding="utf-8")
    if line.strip() and not line.startswith("#")
]
READ = [row for row in ROWS if row[1] != "refused"]
REFUSED = [row for row in ROWS if row[1] == "refused"]


def reading(text: str) -> tuple:
    """What a line says: its kind, expression, variable, order, value and arguments."""
    r = read(text)
    return (r.kind, r.expr, r.var, r.order, r.value, r.arguments)


def test_the_table_is_big_enough():
    assert len(ROWS) >= 150
    assert all(len(row) == 2 for row in READ)
    assert all(len(row) == 4 for row in REFUSED)
    assert len(REFUSED) >= 60 and len(READ) >= 90


@pytest.mark.parametrize(("typed", "meant"), READ, ids=[r[0] for r in READ])
def test_read_as_meant(typed, meant):
    got, want = reading(typed), reading(meant)
    assert got == want, f"{typed!r} reads as {got}, meant {want}"


@pytest.mark.parametrize(
    ("typed", "fragment", "column"),
    [(r[0], r[2], int(r[3])) for r in REFUSED],
    ids=[r[0] for r in REFUSED],
)
def test_refused_with_the_fix(typed, fragment, column):
    with pytest.raises(ParseError) as info:
        read(typed)
    assert fragment in info.value.message, info.value.message
    assert info.value.column == column, info.value.message


_BOTH = re.compile(r"is ambiguous: write (?P<a>.+) or (?P<b>.+)$")


@pytest.mark.parametrize("typed", [r[0] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_each_fix_offered_reads_and_the_two_differ(typed):
    """An ambiguity offers both readings; each is read (as the reading it names), and they
    are two different expressions."""
    with pytest.raises(ParseError) as info:
        read(typed)
    m = _BOTH.search(info.value.message)
    if m is None or "…" in info.value.message or "for the" in info.value.message:
        return
    a, b = parse(m["a"]), parse(m["b"])
    assert a != b, info.value.message


def test_glued_and_spaced_forms_read_alike():
    pairs = [("sinx^2", "sin x^2"), ("lnx^2", "ln x^2"), ("sinx²", "sin x²"),
             ("sin2x^2", "sin 2x^2"), ("shx", "sh x"), ("tgx^3", "tg x^3")]  # fmt: skip
    for glued, spaced in pairs:
        assert parse(glued) == parse(spaced), glued


def test_a_declared_name_is_a_function():
    leaky = sp.Function("leaky_relu")
    x = sp.Symbol("x", real=True)
    assert parse("leaky_relu(x)", functions={"leaky_relu"}) == leaky(x)
    assert parse("w0(x+1)", functions={"w0"}) == sp.Function("w0")(x + 1)
    assert parse("alpha(x+1)", functions={"alpha"}) == sp.Function("alpha")(x + 1)


def test_the_chinese_names_are_the_hyperbolic_functions():
    x = sp.Symbol("x", real=True)
    for name, fn in (("sh", sp.sinh), ("ch", sp.cosh), ("th", sp.tanh), ("cth", sp.coth),
                     ("arsh", sp.asinh), ("arch", sp.acosh), ("arth", sp.atanh),
                     ("arcth", sp.acoth)):  # fmt: skip
        assert parse(f"{name} x") == fn(x)
        assert parse(f"{name}(x)") == fn(x)
        assert parse(f"{name}x") == fn(x)


@pytest.mark.parametrize("typed", [r[0] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_each_refusal_reads_in_chinese(typed):
    from chainrule_cli.render.translate import translate

    with pytest.raises(ParseError) as info:
        read(typed)
    said = translate(info.value.message, "zh")
    assert said != info.value.message and re.search(r"[\u4e00-\u9fff]", said), said
