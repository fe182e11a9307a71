"""The computational graph with --lang zh: every human rendering (text, LaTeX, Markdown, DOT)
names each operation with the catalog's word, aligned by display width; JSON keeps the key."""

from __future__ import annotations

import json
import re
import unicodedata

from conftest import runner

from chainrule_cli.api import graph
from chainrule_cli.render.dot import render_dot
from chainrule_cli.render.graph import _width
from chainrule_cli.render.translate import OP_WORDS, op_word

SIGMOID = "1/(1+exp(-x))"
ENGLISH_OPS = ("neg", "exp", "add", "reciprocal", "mul", "sub", "div", "pow", "sqrt", "log")


def run(*args: str):
    result = runner.invoke(list(args))
    assert result.exit_code == 0, result.output
    return unicodedata.normalize("NFC", result.output)


def test_forward_pass_in_chinese():
    lines = run("graph", SIGMOID, "--lang", "zh", "--format", "text").splitlines()
    start = lines.index("前向传播")
    assert lines[start : start + 6] == [
        "前向传播",
        "  u = −x      取负",
        "  v = e^u     指数",
        "  w = v + 1   加",
        "  y = 1/w     倒数",
        "",
    ]


def test_forward_pass_at_a_point_is_aligned():
    lines = run("graph", SIGMOID, "--lang", "zh", "--format", "text", "--at", "x=1").splitlines()
    start = lines.index("前向传播")
    assert lines[start : start + 6] == [
        "前向传播",
        "  u = −x      取负   = −1",
        "  v = e^u     指数   = 0.367879",
        "  w = v + 1   加     = 1.36788",
        "  y = 1/w     倒数   = 0.731059",
        "",
    ]


def test_backward_table_names_the_operations_and_stays_aligned():
    text = run("graph", SIGMOID, "--lang", "zh", "--format", "text", "--at", "x=1")
    lines = text.splitlines()
    start = lines.index("反向传播，从输出到输入")
    rows = lines[start + 1 : start + 7]
    assert rows[1].startswith("  y     1/w  (倒数)  0.731059")
    assert rows[2].startswith("  w     v + 1  (加)  1.36788")
    assert rows[4].startswith("  u     −x  (取负)   −1")
    assert rows[5].startswith("  x     输入         1")
    # every row's value column starts at the same display column as the header's
    header = rows[0]
    column = _width(header[: header.index("值")])
    values = ["0.731059", "1.36788", "0.367879", "−1", "1"]
    for row, value in zip(rows[1:], values, strict=True):
        start_of_computes = _width(row[: row.index(" ", 4)]) + 2  # past the node's name
        assert _width(row[: row.index(value, start_of_computes)]) == column, (row, rows)


def test_no_english_operation_names_in_chinese_text():
    for args in ((), ("--at", "x=1")):
        text = run("graph", SIGMOID, "--lang", "zh", "--format", "text", *args)
        for op in ENGLISH_OPS:
            assert not re.search(rf"\b{op}\b", text), (op, text)


def test_english_is_unchanged():
    lines = run("graph", SIGMOID, "--format", "text").splitlines()
    assert "  u = −x      neg" in lines
    assert "  y = 1/w     reciprocal" in lines


def test_wider_words_and_function_names():
    """relu, max, a product and a function's own name (tanh) in one forward pass."""
    lines = run(
        "graph", "tanh(max(x, 0) * max(x, y)) / sqrt(x)", "--lang", "zh", "--format", "text",
        "--at", "x=2,y=1",
    ).splitlines()  # fmt: skip
    start = lines.index("前向传播")
    forward = lines[start + 1 : lines.index("", start)]
    words = [re.search(r"   (\S+)\s+= ", line).group(1) for line in forward]
    assert set(words) == {"ReLU", "最大值", "乘", "tanh", "平方根", "除"}
    # the values line up whatever the width of the word before them
    columns = {
        _width(line[: line.index("= ", line.index(w))])
        for line, w in zip(forward, words, strict=True)
    }
    assert len(columns) == 1, forward


def test_dot_labels_in_chinese():
    g = graph(SIGMOID)
    source = render_dot(g, lang="zh")
    ops = re.findall(r'<FONT POINT-SIZE="10" COLOR="#666666">([^<]*)</FONT>', source)
    assert ops == ["取负", "指数", "加", "倒数"]
    at = render_dot(g, g.value_at(["x=1"]), lang="zh")
    assert '<B>y</B> = 1/w</TD></TR><TR><TD><FONT POINT-SIZE="10" COLOR="#666666">倒数' in at
    assert "值 0.731059" in at and "梯度 1" in at
    english = re.findall(r'<FONT POINT-SIZE="10" COLOR="#666666">([^<]*)</FONT>', render_dot(g))
    assert english == ["neg", "exp", "add", "reciprocal"]


def test_dot_through_the_command_line():
    source = run("graph", SIGMOID, "--lang", "zh", "--format", "dot")
    assert ">取负<" in source and ">倒数<" in source
    assert ">neg<" not in source and ">reciprocal<" not in source


def test_json_keeps_the_keys():
    out = run("graph", SIGMOID, "--lang", "zh", "--format", "json", "--at", "x=1")
    data = json.loads(out)
    assert [n["op"] for n in data["nodes"]] == ["input", "neg", "exp", "add", "reciprocal"]


def test_latex_and_markdown_tables():
    latex = run("graph", SIGMOID, "--lang", "zh", "--format", "latex")
    assert r"u & - x & \text{取负} &" in latex
    assert r"y & \frac{1}{w} & \text{倒数} &" in latex
    assert r"\text{neg}" not in latex
    markdown = run("graph", SIGMOID, "--lang", "zh", "--format", "markdown")
    assert "| $u$ | $- x$ | 取负 |" in markdown
    assert "| $x$ |  | 输入 |" in markdown
    english = run("graph", SIGMOID, "--format", "latex")
    assert r"\text{neg}" in english


def test_op_words_cover_the_graph_operations():
    for op in ("neg", "add", "sub", "mul", "div", "reciprocal", "pow", "sqrt", "exp", "log",
               "max", "min", "relu", "abs"):  # fmt: skip
        assert op in OP_WORDS["zh"], op
        assert op_word(op, "zh") != op or op == "relu"
    assert op_word("sigmoid", "zh") == "sigmoid"
