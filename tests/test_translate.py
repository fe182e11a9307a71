"""Every error a user can cause reads in Chinese with --lang zh: real bad inputs through the real
code paths, a static scan of every message chainrule_cli raises, and the command line's own
lines. English stays as it is (and so does the JSON message, a contract)."""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path

import pytest
import sympy

import chainrule_cli
from chainrule_cli import api
from chainrule_cli.calculus.deep import run_deep
from chainrule_cli.errors import (
    ChainruleError,
    LimitError,
    ParseError,
    UndefinedError,
    UnsupportedError,
)
from chainrule_cli.parse import parse
from chainrule_cli.render.translate import (
    error_line,
    op_word,
    translate,
    translate_parts,
    ui_error,
)

PACKAGE = Path(chainrule_cli.__file__).parent

# ASCII words a Chinese sentence may keep: proper names, the command line's placeholders
# (EXPR, NAME=VALUE, -o FILE, as its help writes them), SymPy's special forms.
ALLOWED = {
    "LaTeX", "SymPy", "Graphviz", "Python", "Debian", "NaN", "UTF", "PNG", "ReLU",
    "EXPR", "VAR", "ANSWER", "EQUATION", "diff", "NAME", "VALUE", "FILE", "TAB",
    "apt", "get", "install", "graphviz", "dot", "math", "python", "latex", "chainrule", "check",
    "Derivative", "Subs", "Piecewise", "sin",  # sin ∞, a formula
    "plot", "svg", "png", "pdf", "matplotlib", "pip",  # the command, file types, the extra
    "numpy", "jax", "NumPy", "JAX",  # the array formats
    "MATLAB", "Frobenius", "nxn",  # names, and a shape as typed (--shape I=nxn)
}  # fmt: skip
OPTION = re.compile(r"(?<![\w-])--?[a-z][a-z-]*")
CODE = re.compile(r"\\[A-Za-z]+|\b[A-Za-z_]\w*(?=\()")  # \sum, norm(…): the input language
WORD = re.compile(r"[A-Za-z]{3,}")
CJK = re.compile(r"[\u4e00-\u9fff]")


def english_left(chinese: str, kept: tuple[str, ...] = ()) -> list[str]:
    """ASCII words of 3+ letters in a translation, besides the message's own runtime parts
    (names, expressions), the options (--max-depth) and the allowed words."""
    for part in sorted(kept, key=len, reverse=True):
        chinese = chinese.replace(part, " ")
    chinese = OPTION.sub(" ", chinese)
    chinese = CODE.sub(" ", chinese)
    return [w for w in WORD.findall(chinese) if w not in ALLOWED]


def assert_chinese(message: str) -> None:
    said, kept = translate_parts(message, "zh")
    assert said != message, f"not translated: {message!r}"
    assert english_left(said, kept) == [], (message, said, kept)
    rest = said
    for part in kept:
        rest = rest.replace(part, "")
    assert CJK.search(rest), (message, said)  # the sentence itself is Chinese, not only its parts
    assert translate(message, "en") == message


# ---- (1) real bad inputs through the real code paths ----------------------------------------


def _value_at(expr, point, **kw):
    return lambda: api.differentiate(expr, **kw).value_at(point)


def _graph_at(expr, point):
    return lambda: api.graph(expr).value_at(point)


def _jacobian_at(outputs, point, wrt=None):
    return lambda: api.jacobian(outputs, wrt).value_at(point)


def _python(expr, name="f"):
    return lambda: api.graph(expr).render("python", name=name)


def _slow():
    """A deep thread still at work when its (tiny) deadline passes."""
    import time

    return run_deep(lambda: time.sleep(2), timeout=0.01)


def _convert_gif():
    from chainrule_cli.graphviz import draw as convert

    return convert("digraph {}", "gif")


BAD: list[tuple[str, object]] = [
    # the lexer
    ("empty", lambda: parse("")),
    ("blank", lambda: parse("   ")),
    ("character", lambda: parse("x $ 1")),
    ("not UTF-8", lambda: parse("x + \ufffd")),
    ("1e5", lambda: parse("1e5")),
    ("superscript", lambda: parse("x⁻")),
    ("backslash", lambda: parse("\\")),
    ("operatorname", lambda: parse("\\operatorname 2")),
    ("LaTeX command", lambda: parse("\\foo + x")),
    ("LaTeX character", lambda: parse("\\frac{1}{x} ?")),
    # reading
    ("too long", lambda: parse("x" * 30, max_length=10)),
    ("a list", lambda: parse("(1, 2)")),
    ("a condition", lambda: parse("x < 1")),
    # the parser
    ("end of input", lambda: parse("x +")),
    ("unexpected", lambda: parse("x + * y")),
    ("no opener", lambda: parse("x)")),
    ("never closed", lambda: parse("(x")),
    ("expected closer", lambda: parse("sin(x, y]")),
    ("abs never closed", lambda: parse("|x")),
    ("abs expected", lambda: parse("|x)")),
    ("nesting", lambda: parse("((((x))))", max_depth=3)),
    ("1/0", lambda: parse("1/0")),
    ("0/0", lambda: parse("zoo*x")),
    ("sin oo", lambda: parse("sin(oo)")),
    ("divide by a tower", lambda: parse("1/10^10^4")),
    ("apply to a tower", lambda: parse("sin(10^10^4)")),
    ("astronomical", lambda: parse("10^10^10 * 10^10^10")),
    ("huge power", lambda: parse("10^5000")),
    ("list in arithmetic", lambda: parse("(1, 2) + x")),
    ("condition in arithmetic", lambda: parse("(x < 1) + x")),
    ("two numbers", lambda: parse("2 3")),
    ("empty parentheses", lambda: parse("()")),
    ("empty braces", lambda: parse("\\frac{}{x}")),
    ("sqrt sign", lambda: parse("√")),
    ("frac brace", lambda: parse("\\frac+")),
    ("reserved", lambda: parse("if + 1")),
    ("unknown function", lambda: parse("foo(x)")),
    ("did you mean", lambda: parse("sinn(x)")),
    ("one argument", lambda: parse("sin(x, y)")),
    ("two arguments", lambda: parse("atan2(x)")),
    ("at least", lambda: parse("max(x)")),
    ("range of arguments", lambda: parse("log(x, 2, 3)")),
    ("needs an expression", lambda: parse("sin(x < 1)")),
    ("needs parentheses", lambda: parse("max x")),
    ("needs an argument", lambda: parse("sin")),
    ("Derivative", lambda: parse("Derivative(x)")),
    ("Subs", lambda: parse("Subs(x)")),
    ("Piecewise pairs", lambda: parse("Piecewise(x)")),
    ("Piecewise empty", lambda: parse("Piecewise()")),
    ("apply fails", lambda: parse("Heaviside(x, x < 1)")),
    # the API
    ("several variables", lambda: api.differentiate("x*y")),
    ("not a variable name", lambda: api.differentiate("x^2", "2")),
    ("let with order", lambda: api.differentiate("u", "x", order=2, lets=["u=x^2"])),
    ("no gradient variables", lambda: api.gradient("5")),
    ("gradient named twice", lambda: api.gradient("x*y", ["x", "x"])),
    ("not NAME=EXPR", lambda: api.differentiate("u", "x", lets=["u"])),
    ("intermediate twice", lambda: api.differentiate("u", "x", lets=["u=x", "u=x^2"])),
    ("through itself", lambda: api.differentiate("u", "x", lets=["u=u+x"])),
    ("cycle", lambda: api.differentiate("u", "x", lets=["u=v+x", "v=u+x"])),
    ("variable is intermediate", lambda: api.differentiate("u", "u", lets=["u=x"])),
    ("check: variable is intermediate", lambda: api.check("u", "u", "1", lets=["u=x"])),
    ("tower through the variable", lambda: api.differentiate("10^10^10*x", "x")),
    ("tower in an answer", lambda: api.check("x^2", "x", "10^10^10")),
    ("empty list", lambda: api.jacobian("[]")),
    ("empty entry", lambda: api.jacobian("[x, ]")),
    ("list entry error", lambda: api.jacobian("[x, y +]")),
    ("list too long", lambda: api.jacobian("[" + "x," * 20 + "x]", max_length=10)),
    ("no Jacobian variables", lambda: api.jacobian("[1, 2]")),
    ("Jacobian named twice", lambda: api.jacobian("[x, y]", ["x", "x"])),
    ("Jacobian intermediate", lambda: api.jacobian("[u]", ["u"], lets=["u=x"])),
    ("graph named twice", lambda: api.graph("x*y", ["x", "x"])),
    ("0^x", lambda: api.differentiate("0^x", "x")),
    # values at a point
    ("not NAME=VALUE", _value_at("x^2", ["x"])),
    ("given twice", _value_at("x^2", ["x=1", "x=2"])),
    ("value has a name", _value_at("x^2", ["x=y"])),
    ("value not a number", _value_at("x^2", {"x": sympy.Symbol("y")})),
    ("value too large", _value_at("x^2", ["x=10^2000"])),
    ("value infinite", _value_at("x^2", ["x=oo"])),
    ("value too large decimal", _value_at("x^2", ["x=10^200"])),
    ("not a variable of", _value_at("x^2", ["y=1"])),
    ("needs a value too", _value_at("x*y", ["x=1"], var="x")),
    ("Jacobian needs a value", _jacobian_at("[x*y, x]", ["x=1"])),
    ("Jacobian not a variable", _jacobian_at("[x, x^2]", ["x=1", "z=2"])),
    ("graph: none", _graph_at("5", ["x=1"])),
    ("graph: not a variable", _graph_at("x^2", ["y=1"])),
    ("graph: needs a value", _graph_at("x*y", ["x=1"])),
    ("graph: not real", _graph_at("log(x)", ["x=-1"])),
    ("graph: unknown function", _graph_at("f(x) + x", ["x=1"])),
    # renderings
    ("python: unknown function", _python("f(x)")),
    ("python: keyword", _python("x^2", "class")),
    ("python: identifier", _python("x^2", "1a")),
    ("python: builtin", _python("x^2", "max")),
    ("graphviz format", _convert_gif),
    # a deadline
    ("timeout", _slow),
    # reading a line: equations, d/dx, y' (parse/reading.py, the API around it)
    ("two equals", lambda: api.differentiate("x = y = 1")),
    ("nothing before =", lambda: api.differentiate("= x")),
    ("bare d/dx", lambda: api.differentiate("d/dx")),
    ("d/dx then more", lambda: api.differentiate("d/dx (x) + 1")),
    ("d/dx inside", lambda: api.differentiate("x + d/dx x^2")),
    ("a derivative's name", lambda: api.differentiate("dy/dx")),
    ("an answer", lambda: api.differentiate("dy/dx = 2x")),
    ("no variable in an equation", lambda: api.differentiate("1 = 2")),
    ("orders differ", lambda: api.differentiate("d^2/dx^3 x")),
    ("not in the equation", lambda: api.differentiate("x^2 + y^2 = 25", "z")),
    ("only one variable", lambda: api.differentiate("x^2 = 25", "x")),
    ("says d/dx", lambda: api.differentiate("d/dx x^2", "y")),
    ("prime needs its variable", lambda: api.differentiate("f'")),
    ("ambiguous sin2x", lambda: api.differentiate("sin2x(x+1)")),
    ("prime after brackets", lambda: api.differentiate("(x+1)'")),
    ("grad of d/dx", lambda: api.gradient("d/dx x*y")),
    ("grad of an equation", lambda: api.gradient("x^2 + y^2 = 1")),
    ("answer uses", lambda: api.check("x^2", "x", "y")),
    ("answer by another variable", lambda: api.check("x^2", "x", "dy/dt = 2t")),
    ("answer a definition", lambda: api.check("x^2", "x", "y = 2x")),
]


def caught(make) -> ChainruleError:
    with pytest.raises(ChainruleError) as info:
        make()
    return info.value


def test_enough_bad_inputs():
    assert len(BAD) >= 60


@pytest.mark.parametrize(("label", "make"), BAD, ids=[b[0] for b in BAD])
def test_every_real_error_reads_in_chinese(label, make):
    exc = caught(make)
    assert_chinese(exc.message)


def test_the_real_errors_are_many_different_sentences():
    messages = {caught(make).message for _, make in BAD}
    assert len(messages) >= 60
    templates = {translate_parts(m, "zh")[0] for m in messages}
    assert len(templates) >= 60


# ---- exact sentences ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("unexpected ')' (no matching opener)", "意外的 ')'（前面没有与之配对的左括号）"),
        ("unexpected end of input, expected an expression", "输入意外结束，应为一个表达式"),
        ("'(' is never closed (expected ')')", "'(' 没有闭合（缺少 ')'）"),
        ("expected ')' but found end of input", "应为 ')'，却遇到输入结尾"),
        ("'if' is a reserved word, not a name", "'if' 是保留字，不能用作名称"),
        ("sin takes 1 argument, got 2", "sin 需要1 个参数，却给了 2 个"),
        ("max takes at least 2 arguments, got 1", "max 需要至少 2 个参数，却给了 1 个"),
        ("expected an expression, found a list", "应为一个表达式，却是一个列表"),
        ("this is undefined (complex infinity, as 1/0)", "这没有定义（复无穷，如 1/0）"),
        (
            "cannot divide by a number of more than 3,000 digits (raise the limit with"
            " --max-digits)",
            "无法除以它：这个数超过 3,000 位（可用 --max-digits 提高上限）",
        ),
        (
            "unknown function 'sinn'; did you mean 'sin'? (write sinn*(…) for a product, or"
            " declare it as a function)",
            "未知的函数 'sinn'；你是不是想写 'sin'？（乘积请写成 sinn*(…)，或把它声明为函数）",
        ),
        (
            "gave up after 2.5 seconds (raise it with --timeout)",
            "2.5 秒后放弃（可用 --timeout 延长时限）",
        ),
        ("x is not a variable of 5 (it has none)", "x 不是 5 的变量（它的变量：无）"),
        ("--at needs a value for w, y too", "--at 还需要 w, y 的值"),
    ],
)
def test_sentences(english, chinese):
    assert translate(english, "zh") == chinese
    assert translate(english, "en") == english


def test_a_message_nobody_knows_stays_english():
    assert translate("something new went wrong", "zh") == "something new went wrong"
    assert ui_error("error: something new went wrong", "zh") == "错误：something new went wrong"


def test_error_line_has_the_column():
    exc = ParseError("unexpected ')'", column=7, text="(x+1))")
    assert error_line(exc, "en") == "error: column 7: unexpected ')'"
    assert error_line(exc, "zh") == "错误：第 7 列：意外的 ')'"
    limit = LimitError("a variable is named twice")
    assert error_line(limit, "en") == "error: a variable is named twice"
    assert error_line(limit, "zh") == "错误：有一个变量给出了两次"
    assert error_line(UndefinedError("x is given twice"), "zh") == "错误：x 给出了两次"
    # the English line is the one the command line prints today
    real = caught(lambda: parse("(x+1))"))
    assert error_line(real, "en") == f"error: {real}"


def test_json_message_stays_english():
    """translate never changes the exception: the JSON error.message is a contract."""
    exc = caught(lambda: parse("x +"))
    error_line(exc, "zh")
    assert exc.message == "unexpected end of input, expected an expression"


# ---- the command line's own lines --------------------------------------------------------------

UI_LINES = [
    (
        "error: EXPR is - but standard input is a terminal; pipe lines in.",
        "错误：EXPR 是 -，但标准输入是终端；请用管道输入各行。",
    ),
    (
        "error: give EXPR, VAR and ANSWER (or - to read lines)",
        "错误：请给出 EXPR、VAR 和 ANSWER（或用 - 逐行读取）",
    ),
    (
        "error: with - each line gives EXPR<TAB>VAR<TAB>ANSWER; no more arguments",
        "错误：用 - 时每行给出 EXPR<TAB>VAR<TAB>ANSWER；不要再给其他参数",
    ),
    (
        "error: --standalone makes a LaTeX document; add --format latex",
        "错误：--standalone 生成 LaTeX 文档；请加上 --format latex",
    ),
    (
        "error: --format dot takes one expression, not lines",
        "错误：--format dot 只接受一个表达式，不能逐行读取",
    ),
    (
        "error: PNG is binary; write it with -o FILE",
        "错误：PNG 是二进制数据；请用 -o FILE 写入文件",
    ),
    (
        "error: verification failed: a step disagrees with SymPy; the result above is not to be"
        " trusted. Please report this with the command you ran.",
        "错误：验证失败：有一步与 SymPy 不一致；上面的结果不可信。请连同你运行的命令一起报告。",
    ),
    (
        "error: could not decide: too few points where both are real numbers",
        "错误：无法判定：两者都是实数的点太少",
    ),
    (
        "error: cannot write out/x.tex: Permission denied",
        "错误：无法写入 out/x.tex：Permission denied",
    ),
    (
        "\nerror: no command given (one of: parse, diff, grad)",
        "\n错误：没有给出命令（可用的命令：parse, diff, grad）",
    ),
    (
        "error: the expression is too large to work out (RecursionError)",
        "错误：表达式太大，无法求解（RecursionError）",
    ),
    (
        "error: the output would be 12,345 characters long; the limit is 100 (raise it with"
        " --max-output)",
        "错误：输出将有 12,345 个字符；上限是 100（可用 --max-output 提高上限）",
    ),
    (
        "error: internal error (KeyError: 'x'). This is a bug in chainrule 0.1.0; please report"
        " it with the command you ran.",
        "错误：内部错误（KeyError: 'x'）。这是 chainrule 0.1.0 的缺陷；"
        "请连同你运行的命令一起报告。",
    ),
    ("error: column 3: unexpected '*'", "错误：第 3 列：意外的 '*'"),
    ("line 4: error: column 3: unexpected '*'", "第 4 行：错误：第 3 列：意外的 '*'"),
    (
        "line 2: error: a line must be EXPR<TAB>VAR<TAB>ANSWER",
        "第 2 行：错误：每行必须是 EXPR<TAB>VAR<TAB>ANSWER 的形式",
    ),
    ("interrupted", "已中断"),
]


@pytest.mark.parametrize(("english", "chinese"), UI_LINES)
def test_ui_lines(english, chinese):
    assert ui_error(english, "zh") == chinese
    assert ui_error(english, "en") == english


def test_the_caret_lines_stay():
    for line in ("  (x+1))", "       ^", "  error: x", "  interrupted"):
        assert ui_error(line, "zh") == line


# ---- (2) every message raised anywhere in chainrule_cli ------------------------------------------

ERRORS = {"ChainruleError", "ParseError", "LimitError", "UnsupportedError", "UndefinedError",
          "TimeoutError_"}  # fmt: skip
# Messages made by a helper and passed on: each helper's every sentence is checked below.
HELPERS = {"unexpected_character", "_unsupported"}


def samples(node: ast.expr, known: dict[str, list[str]] | None = None) -> list[str] | None:
    """The messages an argument can be (None when it is not text written here). A formatted
    value is written 'x', or each string a local name is given in the same function (what =
    "a list" if … else "a condition"): every fixed word is then seen."""
    known = known or {}
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Name) and node.id in known:
        return known[node.id]
    if isinstance(node, ast.JoinedStr):
        options = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                options.append([value.value])
            elif isinstance(value.value, ast.Name) and value.value.id in known:
                options.append(known[value.value.id])
            else:
                options.append(["x"])
        return ["".join(parts) for parts in itertools.product(*options)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = samples(node.left, known), samples(node.right, known)
        if left is None or right is None:
            return None
        return [a + b for a, b in itertools.product(left, right)]
    if isinstance(node, ast.IfExp):
        body, orelse = samples(node.body, known), samples(node.orelse, known)
        if body is None or orelse is None:
            return None
        return body + orelse
    return None


def strings_named(scope: ast.AST) -> dict[str, list[str]]:
    """Each name assigned text in scope (not in nested functions), with every text it gets."""
    known: dict[str, list[str]] = {}
    body = list(getattr(scope, "body", []))
    while body:
        node = body.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            made = samples(node.value)
            if isinstance(target, ast.Name) and made is not None:
                known.setdefault(target.id, []).extend(made)
        body.extend(ast.iter_child_nodes(node))
    return known


def raised_messages() -> tuple[list[tuple[str, int, str]], list[tuple[str, int, str]]]:
    """(file, line, sample) for every message given to an error class or to an `error` method
    in chainrule_cli; and the calls whose message is not text written there."""
    found, opaque = [], []

    def visit(node: ast.AST, known: dict[str, list[str]], where: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            known = {**known, **strings_named(node)}
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            named = isinstance(func, ast.Name) and func.id in ERRORS
            method = (
                isinstance(func, ast.Attribute)
                and func.attr == "error"
                and isinstance(func.value, ast.Name)
                and func.value.id == "self"
            )
            if named or method:
                made = samples(node.args[0], known)
                if made is None:
                    opaque.append((where, node.lineno, ast.unparse(node.args[0])))
                else:
                    found.extend((where, node.lineno, m) for m in made)
        for child in ast.iter_child_nodes(node):
            visit(child, known, where)

    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        visit(tree, strings_named(tree), str(path.relative_to(PACKAGE.parent)))
    return sorted(set(found)), sorted(set(opaque))


def test_the_scan_finds_every_raise():
    found, opaque = raised_messages()
    assert len(found) >= 90
    files = {f for f, _, _ in found}
    for name in ("lexer.py", "parser.py", "api.py", "cli.py", "paths.py", "stepper.py",
                 "graph.py", "deep.py", "graphviz.py", "python.py"):  # fmt: skip
        assert any(f.endswith(name) for f in files), name
    # the only messages not written at the call are an `error` method's own parameter and
    # the helpers' sentences, each checked in test_helper_sentences
    unknown = [o for o in opaque if o[2] != "message" and o[2].split("(")[0] not in HELPERS]
    assert unknown == []


def test_every_raised_message_translates():
    found, _ = raised_messages()
    missing = [(f, line, m) for f, line, m in found if translate(m, "zh") == m]
    assert missing == []
    for _, _, message in found:
        said = translate(message, "zh")
        assert CJK.search(said), message


def test_helper_sentences():
    from chainrule_cli.parse.lexer import unexpected_character
    from chainrule_cli.render.python import _unsupported

    for ch in ("$", "\ufffd", "'"):
        assert_chinese(unexpected_character(ch))
    x = sympy.Symbol("x")
    f = sympy.Function("f")
    cases = [f(x), sympy.Derivative(f(x), x), sympy.I * x, sympy.LambertW(x)]
    for expr in cases:
        assert_chinese(_unsupported(expr, expr))


def cli_lines() -> list[str]:
    """The command line's own error lines (typer.echo("error: …"), refuse("error: …")) and the
    messages it makes (message = f"…"), each formatted value written as 'x': in cli.py, which
    declares the commands, and running.py, which runs them."""
    source = "\n".join((PACKAGE / n).read_text(encoding="utf-8") for n in ("cli.py", "running.py"))
    tree = ast.parse(source)
    inside = {id(c) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for c in n.values}
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            name = ast.unparse(node.func)
            made = samples(node.args[0]) or []
            if name in ("typer.echo", "sys.stderr.write", "complain", "refuse", "ui_error"):
                lines += [
                    m.rstrip("\n") for m in made if "error: " in m or m.strip() == "interrupted"
                ]
            if name == "typer.BadParameter":
                lines += made
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "message" for t in node.targets
        ):
            lines += [f"error: {m}" for m in samples(node.value) or []]
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in inside
        ):
            if node.value.startswith("error: ") and node.value not in lines:
                lines.append(node.value)
    # f"error: {message}": a core message, translated by translate (checked above)
    return [line for line in lines if line != "error: x"]


def test_every_command_line_error_translates():
    lines = cli_lines()
    assert len(lines) >= 12
    for line in lines:
        if line.startswith("error: ") or line.startswith("\nerror: ") or line == "interrupted":
            said = ui_error(line, "zh")
        else:
            said = translate(line, "zh")
        assert said != line, line
        body = said.split("错误：", 1)[-1]
        assert CJK.search(body), (line, said)
        assert english_left(said) == [], (line, said)


def test_static_samples_read_as_chinese():
    """Beyond matching: the fixed words of each raised message are all translated."""
    found, _ = raised_messages()
    for _, _, message in found:
        said, kept = translate_parts(message, "zh")
        assert english_left(said, kept) == [], (message, said)


# ---- the graph's operation words -----------------------------------------------------------------


def test_op_words():
    assert op_word("neg", "zh") == "取负"
    assert op_word("reciprocal", "zh") == "倒数"
    assert op_word("relu", "zh") == "ReLU"
    assert op_word("tanh", "zh") == "tanh"  # a function keeps its name
    assert op_word("reciprocal", "en") == "reciprocal"
    assert op_word("neg", "fr") == "neg"


def test_every_error_kind_is_covered():
    kinds = {type(caught(make)) for _, make in BAD}
    assert {ParseError, LimitError, UnsupportedError, UndefinedError} <= kinds
