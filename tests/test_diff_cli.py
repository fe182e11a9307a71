"""`chainrule diff`: options, streams, exit codes, batch, colour, atomic output, failures."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from importlib import resources

import jsonschema
from conftest import runner

from chainrule_cli.calculus import derive as derive_module
from chainrule_cli.calculus.verify import Verdict

ARTICLE = "1/(1+exp(-(w*x+b)))"
VALIDATOR = jsonschema.Draft202012Validator(
    json.loads(resources.files("chainrule_cli").joinpath("schemas/derivation.json").read_text())
)


def run(*args: str, stdin: str | None = None, env: dict | None = None):
    return runner.invoke(list(args), input=stdin, env=env)


def chainrule(*args: str, stdin=None, env=None, **kwargs):
    """The real command in a subprocess (streams, tty detection, imports)."""
    return subprocess.run(
        [sys.executable, "-m", "chainrule_cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
        **kwargs,
    )


def test_diff_article_json():
    result = run("diff", ARTICLE, "x", "--format", "json")
    assert result.exit_code == 0, result.stderr
    obj = json.loads(result.stdout)
    VALIDATOR.validate(obj)
    assert obj["in_terms_of"]["result"] == "w*y*(1 - y)"
    assert obj["steps"]["let"] == {"u": "w*x + b"}


def test_variable_may_be_left_out_with_one_symbol():
    result = run("diff", "x^3", "-f", "text")
    assert result.exit_code == 0
    assert "dy/dx = 3x^2" in result.stdout


def test_several_variables_error_lists_them_and_exits_2():
    result = run("diff", "x*y + z")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "error: the expression has several variables (x, y, z); say which one\n"
    )


def test_parse_error_is_one_line_with_caret_and_exit_2():
    result = run("diff", "sin(x))", "x", "-f", "json")
    assert result.exit_code == 2
    assert json.loads(result.stdout) == {
        "schema": "chainrule.derivation/1",
        "ok": False,
        "input": "sin(x))",
        "error": {"kind": "parse", "message": "unexpected ')' (no matching opener)", "column": 7},
    }
    VALIDATOR.validate(json.loads(result.stdout))
    assert result.stderr.splitlines() == [
        "error: column 7: unexpected ')' (no matching opener)",
        "  sin(x))",
        "        ^",
    ]


def test_limit_exits_1():
    result = run("diff", "10^100000", "x")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")


def test_timeout_exits_1_with_kind_timeout():
    deep = "sin(" * 1000 + "x" + ")" * 1000
    result = chainrule("diff", deep, "x", "--timeout", "0.5", "-f", "json")
    assert result.returncode == 1
    obj = json.loads(result.stdout)
    assert obj["error"]["kind"] == "timeout"
    assert "gave up after 0.5 seconds" in result.stderr
    assert "Traceback" not in result.stderr


def test_order_at_and_detail():
    result = run("diff", "x^3", "x", "--order", "2", "--at", "x=2", "-f", "json")
    obj = json.loads(result.stdout)
    assert obj["result"] == "6*x"
    assert obj["at"] == {"x": "2"}
    assert obj["value"] == {"exact": "12", "decimal": 12.0}
    brief = run("diff", "sin(3x)", "x", "--detail", "brief", "-f", "json")
    full = run("diff", "sin(3x)", "x", "--detail", "full", "-f", "json")
    count = lambda s: s.count('"rule"')  # noqa: E731
    assert count(brief.stdout) < count(full.stdout)


def test_bad_at_is_a_usage_error():
    result = run("diff", "x^2", "x", "--at", "x")
    assert result.exit_code == 2
    assert result.stderr == "error: 'x' is not NAME=VALUE\n"


def test_every_format_runs():
    for fmt, marker in [
        ("terminal", "Chain rule"),
        ("text", "Chain rule"),
        ("latex", r"\begin{align*}"),
        ("markdown", "#### Steps"),
        ("json", '"schema"'),
    ]:
        result = run("diff", ARTICLE, "x", "--format", fmt)
        assert result.exit_code == 0, (fmt, result.stderr)
        assert marker in result.stdout, fmt


def test_standalone_latex_document():
    result = run("diff", "x^2", "x", "-f", "latex", "--standalone")
    assert result.stdout.startswith("\\documentclass{article}\n")
    assert result.stdout.endswith("\\end{document}\n")


def test_standalone_needs_latex():
    result = run("diff", "x^2", "x", "--standalone")
    assert result.exit_code == 2
    assert result.stderr == "error: --standalone makes a LaTeX document; add --format latex\n"


def test_language_option_and_environment():
    zh = run("diff", ARTICLE, "x", "-f", "text", "--lang", "zh")
    assert "设 u = w·x + b" in zh.stdout
    from_env = run("diff", ARTICLE, "x", "-f", "text", env={"LANG": "zh_CN.UTF-8"})
    assert "链式法则" in from_env.stdout
    english = run("diff", ARTICLE, "x", "-f", "text", env={"LANG": "zh_CN.UTF-8", "LC_ALL": "C"})
    assert "Chain rule" in english.stdout
    as_json = json.loads(run("diff", "x^2", "x", "-f", "json", "--lang", "zh").stdout)
    assert as_json["steps"]["text"] == "幂法则：d/dx x^n = n·x^(n−1)，其中 n = 2。"


def test_batch_reads_lines_in_order_and_goes_on_after_a_bad_one():
    result = run("diff", "-", "x", "-f", "json", stdin="sin x^2\n\ncos(\nx^x\n")
    # the error names the input's own line (3: the blank line 2 counts)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    objs = [json.loads(line) for line in lines]
    for obj in objs:
        VALIDATOR.validate(obj)
    assert [o["ok"] for o in objs] == [True, False, True]
    assert [o["input"] for o in objs] == ["sin x^2", "cos(", "x^x"]
    assert objs[0]["result"] == "2*x*cos(x**2)"
    assert result.stderr.startswith("line 3: error: column 5: unexpected end of input")


def test_batch_all_good_exits_0_and_text_is_separated():
    result = run("diff", "-", "x", "-f", "text", stdin="x^2\nx^3\n")
    assert result.exit_code == 0
    assert result.stdout.count("Differentiate y =") == 2


def test_batch_from_an_interactive_terminal_prints_help():
    main, secondary = pty.openpty()
    try:
        result = chainrule_fd("diff", "-", stdin_fd=secondary)
    finally:
        os.close(main)
        os.close(secondary)
    assert result.returncode == 2
    assert "Usage:" in result.stderr
    assert "standard input is a terminal" in result.stderr


def chainrule_fd(*args, stdin_fd):
    return subprocess.run(
        [sys.executable, "-m", "chainrule_cli", *args],
        stdin=stdin_fd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_output_file_is_written_atomically(tmp_path, monkeypatch):
    target = tmp_path / "out.tex"
    result = run("diff", "x^2", "x", "-f", "latex", "--standalone", "-o", str(target))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert target.read_text().startswith("\\documentclass")
    target.write_text("precious")
    failed = run("diff", "sin(", "x", "-f", "latex", "-o", str(target))
    assert failed.exit_code == 2
    assert target.read_text() == "precious"

    def crash(source, destination):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    broken = run("diff", "x^3", "x", "-f", "latex", "-o", str(target))
    assert broken.exit_code == 2
    assert broken.stderr == f"error: cannot write {target}: No space left on device\n"
    assert target.read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.tex"]


def test_output_into_a_missing_directory_is_one_line():
    result = run("diff", "x^2", "x", "-o", "/nonexistent-dir/out.txt")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: cannot write /nonexistent-dir/out.txt: No such file or directory\n"
    )


def test_at_rejects_what_is_not_a_point():
    cases = {
        "x=oo": "error: the value of x must be a finite real number (variables are real)\n",
        "x=I": "error: the value of x must be a finite real number (variables are real)\n",
        "x=1/0": "error: column 2: this is undefined (complex infinity, as 1/0)\n  1/0\n   ^\n",
        "x=1,x=2": "error: x is given twice\n",
        "x=0x10": "error: the value of x must be a number; '0x10' has x10\n",  # not 0·x10 = 0
        "x=y": "error: the value of x must be a number; 'y' has y\n",
        "y=2": "error: y is not a variable of x**2 (it has x)\n",
        "pi=1": "error: 'pi' is not a variable name\n",
    }
    for at, message in cases.items():
        result = run("diff", "x^2", "x", "--at", at)
        assert result.exit_code == 2, at
        assert result.stderr == message, at
    trap = run("diff", "x^2", "x", "--at", "x=1e-3")
    assert trap.exit_code == 2
    assert trap.stderr == (
        "error: column 1: '1e-3' would read as a product with e; write 1.0e-3\n  1e-3\n  ^\n"
    )
    towering = run("diff", "sin(x)", "x", "--at", "x=exp(exp(exp(10)))")
    assert towering.exit_code == 1
    assert towering.stderr == "error: the value of x is too large to compute with\n"
    huge = run("diff", "x^2", "x", "--at", "x=10^10^10")
    assert huge.exit_code == 1
    assert huge.stderr == "error: the value of x is too large to compute with\n"


def test_towers_are_refused_where_sympy_would_compute_them():
    for expr in ["x^(10^10^10)", "(10^10^10)*x^2", "sin(10^10^10 x)"]:
        result = run("diff", expr, "x", "-f", "json", "--timeout", "5")
        assert result.exit_code == 1, expr
        assert json.loads(result.stdout)["error"]["kind"] == "limit"
        assert (
            "too large a number to differentiate through" in result.stderr
            or "a number of more than 3,000 digits" in result.stderr
        )
    assert run("diff", "x^2 + 10^10^10", "x", "-f", "json").exit_code == 0


def test_greek_variables_are_one_name():
    result = run("diff", "α sin(x)", "α", "--at", "α=2,x=0", "-f", "json")
    obj = json.loads(result.stdout)
    assert obj["var"] == "alpha"
    assert obj["result"] == "sin(x)"
    assert obj["value"] == {"exact": "0", "decimal": 0.0}
    assert run("diff", "x^2", "pi").stderr == "error: 'pi' is not a variable name\n"


def test_batch_standalone_latex_on_stdout_is_one_document():
    result = run("diff", "-", "x", "-f", "latex", "--standalone", stdin="x^2\nsin(x)\n")
    assert result.exit_code == 0
    assert result.stdout.startswith("\\documentclass{article}\n")
    assert result.stdout.count("\\begin{document}") == 1
    assert result.stdout.count("Differentiate") == 2
    assert result.stdout.endswith("\\end{document}\n")


def test_no_colour_when_piped_or_asked_and_colour_on_a_terminal():
    piped = chainrule("diff", "x^2", "x")
    assert piped.returncode == 0
    assert "\x1b[" not in piped.stdout
    for extra_args, env in [((), {"NO_COLOR": "1"}), (("--no-color",), {})]:
        assert "\x1b[" not in on_a_terminal("diff", "x^2", "x", *extra_args, env=env)
    assert "\x1b[" in on_a_terminal("diff", "x^2", "x", env={"NO_COLOR": ""})


def on_a_terminal(*args: str, env: dict) -> str:
    """Run with stdout on a pseudo-terminal and return what it printed."""
    main, secondary = pty.openpty()
    environ = {**os.environ, "TERM": "xterm-256color", **env}
    if not environ.get("NO_COLOR"):
        environ.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "chainrule_cli", *args],
        stdout=secondary,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=environ,
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    process.wait(timeout=120)
    os.close(main)
    return b"".join(chunks).decode("utf-8", "replace")


def test_failed_verification_is_loud_and_exits_1(monkeypatch):
    def fail_everything(root, heights=None, seed=0):
        return Verdict(ok=False, failures=(root,))

    monkeypatch.setattr(derive_module, "verify", fail_everything)
    result = run("diff", "x^2", "x", "-f", "json")
    assert result.exit_code == 1
    obj = json.loads(result.stdout)
    VALIDATOR.validate(obj)
    assert obj["verified"] is False
    assert obj["failures"] == [1]
    assert result.stderr.startswith("error: verification failed")
    text = run("diff", "x^2", "x", "-f", "text")
    assert text.exit_code == 1
    assert "✗ NOT VERIFIED: step 1 disagrees with SymPy." in text.stdout
    assert "Every step verified" not in text.stdout


def test_internal_error_says_how_to_report_it(monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr(derive_module, "verify", broken)
    result = run("diff", "x^2", "x")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: internal error (ValueError: boom). This is a bug")
    assert "report" in result.stderr
    assert "Traceback" not in result.stderr


def test_diff_help_shows_examples_and_does_not_import_sympy():
    result = run("diff", "--help")
    assert result.exit_code == 0
    assert '\n    chainrule diff "1/(1+exp(-(w*x+b)))" x\n' in result.stdout
    assert "    printf 'sin x^2\\ncos x^2\\n' | chainrule diff - x --format json\n" in result.stdout
    for argv, env in [
        (["chainrule", "diff", "--help"], {}),
        (["chainrule", "grad", "--help"], {}),
        (["chainrule", "jacobian", "--help"], {}),
        (["chainrule"], {"_CHAINRULE_COMPLETE": "complete_bash", "COMP_WORDS": "chainrule di",
                         "COMP_CWORD": "1"}),
    ]:  # fmt: skip
        code = (
            f"import sys; sys.argv = {argv!r}\n"
            "from chainrule_cli.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "assert 'sympy' not in sys.modules, 'sympy imported'\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env={**os.environ, **env},
        )
        assert done.returncode == 0, (argv, done.stderr)
        if env:
            assert "diff" in done.stdout


def test_an_expression_may_be_minus_j():
    # found in review: a short -j for --jobs would have swallowed -j as an option
    result = run("diff", "-j", "j", env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert "dy/dj = −1" in result.stdout
    result = runner.invoke(["check", "-j^2/2", "j", "-j"], env={"NO_COLOR": "1"})
    assert result.exit_code == 0 and "✓ Correct." in result.stdout
