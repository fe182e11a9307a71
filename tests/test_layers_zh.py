"""Vectors and matrices (--shape) with --lang zh: a layer's derivation reads in Chinese line by
line (the rules as a Chinese course names them), and every error a student can make with shapes
(sizes that do not fit, a bad --shape, a bad --at) is one Chinese line with its column, exit 2;
the English and the JSON message stay as they are."""

from __future__ import annotations

import json
import re
import unicodedata

import pytest
from conftest import runner

from chainrule_cli import arrays as A
from chainrule_cli.errors import ChainruleError
from chainrule_cli.render.messages import CATALOG
from chainrule_cli.render.translate import translate, translate_parts

LAYER = "norm(sigmoid(W*x + b) - t)^2"
SHAPES = ["--shape", "W=3x2", "--shape", "x=2", "--shape", "b=3", "--shape", "t=3"]
POINT = "W=[[1,2],[3,4],[5,6]],x=[1,-1],b=[0,0,0],t=[1,0,1]"
CJK = re.compile(r"[\u4e00-\u9fff]")


def run(*args: str, code: int = 0):
    result = runner.invoke(list(args))
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result


# ---- a derivation, in Chinese -------------------------------------------------------------------

EXPECTED = [
    "读作：‖σ(Wx + b) − t‖²，其中 W: 3×2, b: 3, t: 3, x: 2",
    "",
    "前向传播（每层的结果各记一个名字）：",
    "  z = Wx + b      (3)",
    "  a = σ(z)        (3)",
    "  L = ‖a − t‖²    (标量)",
    "",
    "反向传播（δ_n = ∂L/∂n，与 n 的形状相同），按计算的先后顺序：",
    "  1. δ_a = 2(a − t)    (3)",
    ("范数的平方", "s = ‖a‖²", "δ_a = 2δ a"),
    "  2. δ_z = δ_a ⊙ a ⊙ (1 − a)    (3)",
    ("逐元素函数", "a = σ(z)", "δ_z = δ_a ⊙ σ′(z), σ′(z) = a ⊙ (1 − a)"),
    "  3. ∂L/∂W = δ_z xᵀ    (3×2)",
    ("线性映射", "Y = AB", "δ_A = δ Bᵀ"),
    "",
    "结果：",
    "  ∂L/∂W = δ_z xᵀ",
    "        = (2(σ(Wx + b) − t) ⊙ σ(Wx + b) ⊙ (1 − σ(Wx + b)))xᵀ",
    "  3×2，与 W 的形状相同（即 PyTorch 中 W.grad 的形状）",
    "",
    "✓ 每一步都已在小尺寸（W 3×2, b 3, t 3, x 2）下与标量 SymPy 逐元素核对",
]


def check_lines(lines: list[str], expected: list) -> None:
    assert len(lines) == len(expected), lines
    for line, want in zip(lines, expected, strict=True):
        if isinstance(want, tuple):  # a rule's line: its Chinese name, then its formula
            rule, primitive, gives = want
            assert line.startswith(f"       {rule}"), line
            assert re.fullmatch(rf"\s+{re.escape(rule)}[:：] ?{re.escape(primitive)}[:：] ?"
                                rf"{re.escape(gives)}", line), line  # fmt: skip
        else:
            assert line == want


def test_the_layer_in_chinese_line_by_line():
    out = run("diff", LAYER, "W", *SHAPES, "--lang", "zh").stdout
    check_lines(unicodedata.normalize("NFC", out).splitlines(), EXPECTED)


def test_the_layer_at_a_point_in_chinese():
    out = run("diff", LAYER, "W", *SHAPES, "--lang", "zh", "--at", POINT).stdout
    lines = out.splitlines()
    start = lines.index(
        "在 W = [[1, 2], [3, 4], [5, 6]], x = [1, -1], b = [0, 0, 0], t = [1, 0, 1] 处："
    )
    assert lines[start + 1] == "  L = 1.14122"
    assert lines[start + 6].startswith("  ∂L/∂W = [[-0.28747, 0.28747]")


def test_every_rule_has_a_chinese_name():
    zh = CATALOG["zh"]
    rules = [k for k in CATALOG["en"] if k.startswith("layers_rule_")]
    assert len(rules) >= 24
    for key in rules:
        assert CJK.search(zh[key]), (key, zh[key])
    assert zh["layers_rule_linear_map"] == "线性映射"
    assert zh["layers_rule_hadamard"].startswith("哈达玛积")


@pytest.mark.parametrize(
    ("expr", "var", "shapes", "words"),
    [
        ("x^T*A*x + trace(A) + log(det(A))", "A", ["x=n", "A=nxn"],
         ["二次型", "矩阵的迹", "对数行列式", "多元链式法则", "n×n，与 A 的形状相同"]),
        ("-dot(t, log(softmax(Wx)))", "W", ["W=3x2", "x=2", "t=3"],
         ["对数 softmax", "独热", "课本上写的 p − t"]),
        ("sum(W*x) + mean(hadamard(b, b))", "b", ["W=3x2", "x=2", "b=3"],
         ["各元素的平均值", "哈达玛积"]),
    ],
)  # fmt: skip
def test_more_layers_in_chinese(expr, var, shapes, words):
    args = [a for s in shapes for a in ("--shape", s)]
    out = run("diff", expr, var, *args, "--lang", "zh").stdout
    for w in words:
        assert w in out, (w, out)
    for english in ("Forward", "Backward", "Results", "verified", "the shape of", "rule"):
        assert english not in out, (english, out)


def test_a_jacobian_in_chinese():
    out = run("jacobian", "tanh(W*x)", "x", "--shape", "W=3x2", "--shape", "x=2", "--lang", "zh")
    assert "矩阵形式的链式法则" in out.stdout
    assert "3×2：行对应 y 的 3 个元素，列对应 x 的 2 个元素（雅可比矩阵的 (m, n)）" in out.stdout


def test_the_latex_in_chinese_is_a_ctex_document():
    out = run("diff", LAYER, "W", *SHAPES, "--lang", "zh", "--format", "latex", "--standalone")
    assert out.stdout.startswith("\\documentclass{ctexart}")
    assert "前向传播" in out.stdout and r"\text{线性映射}" in out.stdout


def test_the_markdown_in_chinese():
    out = run("diff", LAYER, "W", *SHAPES, "--lang", "zh", "--format", "markdown").stdout
    assert "**前向传播（每层的结果各记一个名字）：**" in out
    assert "— 逐元素函数: `" in out or "— 逐元素函数：`" in out


# ---- errors, in Chinese -----------------------------------------------------------------------

ERRORS = [
    (["diff", "W*x", "W", "--shape", "W=3x2", "--shape", "x=3"],
     "错误：第 2 列：W 是 3×2 矩阵，所以 W·x 要求 x 的长度为 2；"
     "x 却是 3 维向量；W^T*x 的形状才相容"),
    (["diff", "sum(W*B)", "W", "--shape", "W=3x2", "--shape", "B=3x2"],
     "错误：第 6 列：W 是 3×2 矩阵，所以 W·B 要求 B 有 2 行；B 却是 3×2 矩阵；W^T*B 的形状才相容"),
    (["diff", "x*y", "x", "--shape", "x=3", "--shape", "y=3"],
     "错误：第 2 列：x 是 3 维向量，所以 x·y 要求 y 的长度为 1；y 却是 3 维向量；"
     "内积请写成 dot(x, y) 或 x^T*y，逐元素相乘请写成 hadamard(x, y)"),
    (["diff", "sum(r*W)", "W", "--shape", "W=3x2", "--shape", "r=1x2"],
     "错误：第 6 列：r 是 1×2 行向量，所以 r·W 要求 W 有 2 行；W 却是 3×2 矩阵"),
    (["diff", "sum(W + b)", "W", "--shape", "W=3x2", "--shape", "b=3"],
     "错误：第 9 列：形状不同，无法相加：W 是 3×2 矩阵，b 是 3 维向量"),
    (["diff", "sum(hadamard(W, b))", "W", "--shape", "W=3x2", "--shape", "b=3"],
     "错误：第 5 列：a ⊙ b（逐元素乘积）要求两个数组的形状相同：W 是 3×2 矩阵，b 是 3 维向量"),
    (["diff", "det(W)", "W", "--shape", "W=3x2"],
     "错误：第 1 列：只有方阵才有行列式；W 是 3×2 矩阵"),
    (["diff", "trace(W)", "W", "--shape", "W=3x2"], "错误：第 1 列：只有方阵才有迹；W 是 3×2 矩阵"),
    (["diff", "sum(W^-1)", "W", "--shape", "W=3x2"],
     "错误：第 6 列：只有方阵才有逆矩阵；W 是 3×2 矩阵"),
    (["diff", "inv(s)*sum(x)", "x", "--shape", "x=3"],
     "错误：第 1 列：只有方阵才有逆矩阵；s 是标量"),
    (["diff", "sum(softmax(W))", "W", "--shape", "W=3x2"],
     "错误：第 5 列：softmax 的参数须是向量；W 是 3×2 矩阵"),
    (["diff", "dot(x, y)", "x", "--shape", "x=3", "--shape", "y=2"],
     "错误：第 1 列：dot 要求两个长度相同的向量：x 是 3 维向量，y 是 2 维向量"),
    (["diff", "sum(x/W)", "x", "--shape", "x=3", "--shape", "W=3x2"],
     "错误：第 6 列：不能除以 W（W 是 3×2 矩阵）：除法是逐元素的（只能除以标量或同形状的数组）；"
     "逆矩阵请写成 inv(...)"),
    (["diff", "x^2", "x", "--shape", "x=3"],
     "错误：第 2 列：x 是向量，x^2 没有定义：长度的平方请写成 norm(x)^2 或 dot(x, x)，"
     "逐元素的平方请写成 hadamard(x, x)"),
    (["diff", "sum(W^3)", "W", "--shape", "W=2x2"],
     "错误：第 6 列：不能直接求幂（W 是 2×2 矩阵）："
     "逐元素的幂请用 hadamard 写出，矩阵的幂请写成矩阵乘积"),
    (["diff", "|x|", "x", "--shape", "x=3"],
     "错误：第 1 列：|…| 不能用于数组（x 是 3 维向量）：长度（范数）请写成 norm(…) 或 ‖…‖，"
     "逐元素的绝对值请写成 abs(…)"),
    (["diff", "sum(x^y)", "x", "--shape", "x=3"],
     "错误：第 7 列：这里的指数必须是一个数（或用 T 表示转置）"),
    (["diff", "sum(foo(x))", "x", "--shape", "x=3"],
     "错误：第 5 列：未知的函数 'foo'（使用 --shape 时，给出形状的名称是数组；"
     "foo(…) 不是 chainrule 认识的函数）"),
    (["diff", "sum(log(x, 2))", "x", "--shape", "x=3"],
     "错误：第 5 列：带底数的 log 不能逐元素计算；请写成 log(u)/log(b)"),
    (["diff", "dot(x)", "x", "--shape", "x=3"], "错误：第 1 列：dot 需要 2 个参数，却给了 1 个"),
    (["diff", "L = x", "x", "--shape", "x=3", "--shape", "L=3"],
     "错误：第 1 列：L 已由 --shape 给出形状（是数组），不能再用来给结果命名"),
    (["diff", "sum(x) = 1", "x", "--shape", "x=3"],
     "错误：第 8 列：使用 --shape 时只写表达式本身（不要写成定义或方程）"),
    (["diff", "W*x", "W", "--shape", "W=3by2", "--shape", "x=2"],
     "错误：--shape W=3by2：形状应写成 n（列向量）、mxn（矩阵）或 1xn（行向量），而不是 '3by2'"),
    (["diff", "sum(W*x)", "W", "--shape", "W=3x2", "--shape", "x=2", "--shape", "b=3"],
     "错误：--shape b=3：表达式中没有出现 b"),
    (["diff", "sum(W*x)", "W", "--shape", "W3x2", "--shape", "x=2"],
     "错误：--shape 的写法是 NAME=SIZE（如 W=3x2、x=n），不是 'W3x2'"),
    (["diff", "sum(x)", "x", "--shape", "1x=3"], "错误：--shape 1x=3：'1x' 不是合法的名称"),
    (["diff", "sum(x)", "x", "--shape", "x=3", "--shape", "x=2"],
     "错误：--shape 给出了两次 x 的形状"),
    (["diff", "sin(x)", "x", "--shape", "sin=3", "--shape", "x=2"],
     "错误：--shape sin=3：sin 是函数或常数，不能用作数组的名称"),
    (["diff", "sum(x)", "x", "--shape", "x=99999999999"],
     "错误：--shape x=99999999999：尺寸 99999999999 超过了上限 1,000,000,000"),
    (["diff", "dot(x, y)", "--shape", "x=3", "--shape", "y=3"],
     "错误：有多个变量（x, y）：请给出对哪一个求导，如：chainrule diff EXPR W --shape …"),
    (["diff", "dot(x, y)", "z", "--shape", "x=3", "--shape", "y=3"],
     "错误：z 不是表达式中的变量（表达式的变量：x, y）"),
    (["diff", "sum(W)", "W", "--shape", "W=3x2", "--order", "2"],
     "错误：使用 --shape 时不能再用 --order、--let 或 --dependent"),
    (["grad", "sum(W)", "--shape", "W=3x2", "--let", "u=1"], "错误：使用 --shape 时不能再用 --let"),
    (["jacobian", "W", "W", "--shape", "W=3x2"],
     "错误：表达式是 3×2 矩阵：它的导数将是三阶或四阶张量；chainrule 求的是标量的梯度"
     "（例如 trace(…)、sum(…) 或 norm(…)^2 的梯度）和向量的雅可比矩阵"),
    (["jacobian", "W*x", "W", "--shape", "W=3x2", "--shape", "x=2"],
     "错误：W 是 3×2 矩阵：向量对矩阵的雅可比矩阵是三阶张量；请改为对 W 的某个标量函数"
     "（例如 dot(v, …)）求导，它的梯度与 W 形状相同"),
    (["grad", "W*x", "--shape", "W=3x2", "--shape", "x=2"],
     "错误：表达式是 3 维向量，不是标量：反向传播需要一个标量（损失函数）；"
     "向量的导数是它的雅可比矩阵（用 chainrule jacobian）"),
    (["diff", "W@x", "x"],
     "错误：第 2 列：意外的 '@'："
     "向量和矩阵需要用 --shape 给出形状（例如 --shape W=3x2 --shape x=2）"),
    (["diff", "norm(x)", "x"],
     "错误：第 1 列：norm 作用于向量和矩阵："
     "请用 --shape 给出它们的形状（例如 --shape x=n, --shape A=nxn）"),
    (["graph", "W*x", "--format", "numpy"],
     "错误：--format numpy 用于向量和矩阵：请用 --shape 给出各数组的形状（例如 --shape W=3x2"
     " --shape x=2）；标量请用 --format python"),
]  # fmt: skip

AT_ERRORS = [
    ("W=[[1,2],[3,4]],x=[1,-1],b=[0,0,0],t=[1,0,1]",
     "错误：--at W：W 是 3×2 矩阵，"
     "给出的值却是 2×2 矩阵"),
    ("W=[[1,2],[3,4],[5,6]],x=[1,-1],b=[0,0,0]", "错误：--at 还需要 t 的值"),
    ("W=[[1,2],[3,4],[5,6]],x=[1,-1],b=[0,0,0],t=[1,0,1],q=1", "错误：q 不是表达式中的变量"),
    ("W=[[1,2],[3,4],[5,6],x=[1,-1],b=[0,0,0],t=[1,0,1]",
     "错误：--at W：'[[1,2],[3,4],[5,6],x=[1,-1],b=[0,0,0],t=[1,0,1]' 中的方括号不配对"),
    ("W=[[1,2],[3]],x=[1,-1],b=[0,0,0],t=[1,0,1]", "错误：--at W：各行的长度不一样"),
    ("W=[],x=[1,-1],b=[0,0,0],t=[1,0,1]", "错误：--at W：列表是空的"),
    ("W=[[1,2],3],x=[1,-1],b=[0,0,0],t=[1,0,1]", "错误：--at W：数和列表混在了一起"),
    ("W=[[1,[2]]],x=1", "错误：--at W：矩阵要按行写成列表，每行是一列数（如 [[1,2],[3,4]]）"),
    ("W=[[1,2],[3,4],[5,6]],x=[1,-1],b=[0,0,0],t=[1,0,x]", "错误：t 的值必须是一个数；'x' 中有 x"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "line"), ERRORS, ids=[" ".join(a[:2]) for a, _ in ERRORS])
def test_shape_errors_are_one_chinese_line(args, line):
    result = run(*args, "--lang", "zh", code=2)
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == line
    english = run(*args, code=2).stderr.splitlines()[0]
    assert english.startswith("error: ") and not CJK.search(english)


@pytest.mark.parametrize(("point", "line"), AT_ERRORS, ids=[p for p, _ in AT_ERRORS])
def test_at_errors_are_one_chinese_line(point, line):
    result = run("diff", LAYER, "W", *SHAPES, "--at", point, "--lang", "zh", code=2)
    assert result.stderr.splitlines()[0] == line


def test_a_letter_size_bound_twice():
    result = run("diff", LAYER, "W", "--shape", "W=mxn", "--shape", "x=n", "--shape", "b=m",
                 "--shape", "t=m", "--at", "W=[[1,2],[3,4],[5,6]],x=[1,-1,1],b=[0,0,0],t=[1,0,1]",
                 "--lang", "zh", code=2)  # fmt: skip
    assert result.stderr.splitlines()[0] == "错误：--at W：尺寸 n 在别处是 3，这里却是 2"


def test_the_json_message_stays_english():
    result = run("diff", "W*x", "W", "--shape", "W=3x2", "--shape", "x=3", "--lang", "zh",
                 "--format", "json", code=2)  # fmt: skip
    error = json.loads(result.stdout)["error"]
    assert error["message"] == "W is 3×2, so W·x needs x of size 2; x is 3; W^T*x fits"


# ---- the shape messages of arrays.py, whole --------------------------------------------------


def shape_error(make) -> str:
    with pytest.raises(ChainruleError) as info:
        make()
    return info.value.message


W, B = A.Var("W", A.Shape(3, 2)), A.Var("b", A.Shape(3, 1))
S, R = A.Var("s", A.SCALAR), A.Var("r", A.Shape(1, 3))
S2 = A.Var("y", A.Shape(2, 1))
SQUARE_OPS = {"inv": "只有方阵才有逆矩阵", "det": "只有方阵才有行列式",
              "logdet": "只有方阵才能取对数行列式", "trace": "只有方阵才有迹"}  # fmt: skip


@pytest.mark.parametrize(
    ("make", "chinese"),
    [
        (lambda: A.Add((W, B)), "形状不同，无法相加：W 是 3×2 矩阵，b 是 3 维向量"),
        (lambda: A.MatMul(W, W), "W 是 3×2 矩阵，所以 W·W 要求 W 有 2 行；W 却是 3×2 矩阵；"
                                 "W^T*W 的形状才相容"),
        (lambda: A.MatMul(B, B), "b 是 3 维向量，所以 b·b 要求 b 的长度为 1；b 却是 3 维向量；"
                                 "内积请写成 dot(b, b) 或 b^T*b，逐元素相乘请写成 hadamard(b, b)"),
        (lambda: A.MatMul(A.add(W, W, like=False), B),
         "(W + W) 是 3×2 矩阵，所以 (W + W)·b 要求 b 的长度为 2；"
         "b 却是 3 维向量；(W + W)^T*b 的形状才相容"),
        (lambda: A.Hadamard(W, B), "a ⊙ b（逐元素乘积）要求两个数组的形状相同：W 是 3×2 矩阵，"
                                   "b 是 3 维向量"),
        (lambda: A.Divide(W, B),
         "a / b 是逐元素相除，"
         "除数须是标量或与被除数形状相同：W 是 3×2 矩阵，"
                                 "b 是 3 维向量"),
        (lambda: A.Unary("softmax", W), "softmax 的参数须是向量；W 是 3×2 矩阵"),
        (lambda: A.Unary("logsumexp", W), "logsumexp 的参数须是向量；W 是 3×2 矩阵"),
        (lambda: A.Unary("diag", W), "diag 的参数须是向量或方阵；W 是 3×2 矩阵"),
        (lambda: A.Dot(B, A.Var("y", A.Shape(2, 1))),
         "dot 要求两个长度相同的向量：b 是 3 维向量，y 是 2 维向量"),
        (lambda: A.Dot(R, A.Var("y", A.Shape(1, 2))),
         "dot 要求两个长度相同的向量：r 是 1×3 行向量，y 是 1×2 行向量"),
    ],
)  # fmt: skip
def test_shape_messages(make, chinese):
    message = shape_error(make)
    assert translate(message, "zh") == chinese
    assert translate(message, "en") == message


@pytest.mark.parametrize("op", list(SQUARE_OPS))
def test_square_matrix_messages(op):
    for operand, described in ((W, "W 是 3×2 矩阵"), (S, "s 是标量"), (R, "r 是 1×3 行向量")):
        message = shape_error(lambda operand=operand: A.Unary(op, operand))
        assert translate(message, "zh") == f"{SQUARE_OPS[op]}；{described}"


def test_translated_shape_messages_keep_no_english():
    """The fixed words are all Chinese: only names, shapes and the code to write stay."""
    messages = [
        shape_error(lambda: A.MatMul(W, W)), shape_error(lambda: A.MatMul(B, B)),
        shape_error(lambda: A.Add((W, B))), shape_error(lambda: A.Unary("det", W)),
        shape_error(lambda: A.Hadamard(W, B)), shape_error(lambda: A.Dot(B, S2)),
    ]  # fmt: skip
    for message in messages:
        said, kept = translate_parts(message, "zh")
        rest = said
        for part in sorted(kept, key=len, reverse=True):
            rest = rest.replace(part, " ")
        assert not re.findall(r"[A-Za-z]{3,}", rest), (message, said)
        assert CJK.search(rest)
