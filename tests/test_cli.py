"""The command line: output, exit codes, error lines, and the README's promises."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import runner

from chainrule_cli import __version__

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str):
    return runner.invoke(list(args))


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"chainrule {__version__}\n"


def test_parse_prints_sympy_text():
    result = run("parse", "2x^2 + sin x")
    assert result.exit_code == 0
    assert result.stdout == "2*x**2 + sin(x)\n"


def test_parse_json_is_the_contract():
    result = run("parse", "1/(1+exp(-(w*x+b)))", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data == {
        "schema": "chainrule.parse/1",
        "ok": True,
        "input": "1/(1+exp(-(w*x+b)))",
        "expr": "1/(exp(-b - w*x) + 1)",
        "latex": r"\frac{1}{e^{- b - w x} + 1}",
        "srepr": data["srepr"],
        "free_symbols": ["b", "w", "x"],
        "unknown_functions": [],
        "reading": {"kind": "expression", "text": "1/(exp(-b - w*x) + 1)"},
    }
    assert "Symbol('x', real=True)" in data["srepr"]


def test_parse_latex_input():
    result = run("parse", r"\frac{1}{1+e^{-x}}")
    assert result.exit_code == 0
    assert result.stdout == "1/(1 + exp(-x))\n"


def test_bad_input_is_one_line_with_a_caret_and_exit_2():
    result = run("parse", "sin(x))")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "error: column 7: unexpected ')' (no matching opener)\n  sin(x))\n        ^\n"
    )


def test_bad_input_in_json_mode():
    result = run("parse", "2 +* x", "--format", "json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert data["error"] == {"kind": "parse", "message": "unexpected '*'", "column": 4}
    assert result.stderr.startswith("error: column 4: unexpected '*'")


def test_limits_exit_1_with_kind_limit():
    result = run("parse", "(((x)))", "--max-depth", "2", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["kind"] == "limit"


def test_declared_function():
    result = run("parse", "phi(x)", "--function", "phi", "--format", "json")
    assert json.loads(result.stdout)["unknown_functions"] == ["phi"]


def test_every_command_has_help():
    for command in ([], ["parse"], ["diff"], ["grad"], ["jacobian"]):
        result = run(*command, "--help")
        assert result.exit_code == 0
        assert "Usage:" in result.stdout


def test_help_does_not_import_sympy():
    code = (
        "import sys; sys.argv = ['chainrule', '--help']\n"
        "from chainrule_cli.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "assert 'sympy' not in sys.modules, 'sympy imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_python_dash_m():
    result = subprocess.run(
        [sys.executable, "-m", "chainrule_cli", "parse", "x²"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert result.stdout == "x**2\n"


def test_no_traceback_on_injection(tmp_path):
    marker = tmp_path / "x"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "chainrule_cli",
            "parse",
            f"__import__('os').system('touch {marker}')",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: column 12: unexpected character")
    assert not marker.exists()


def test_no_command_is_help_and_one_error_line_exit_2():
    result = subprocess.run([sys.executable, "-m", "chainrule_cli"], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Usage: chainrule [OPTIONS] COMMAND [ARGS]...")
    assert result.stderr.endswith(
        "\nerror: no command given"
        " (one of: parse, diff, grad, jacobian, graph, check, tangent, hint, practice, plot)\n"
    )


def test_a_lone_surrogate_in_a_python_str_reaches_json_as_a_replacement():
    # found by fuzzing, in process (a command line cannot carry one): UTF-8 output cannot. The
    # Typer app itself, as a Python caller may run it, not main() (which replaces it first)
    from typer.testing import CliRunner

    from chainrule_cli.cli import app

    result = CliRunner().invoke(app, ["parse", "\ud8007", "--format", "json"])
    assert result.exit_code == 2
    obj = json.loads(result.stdout)
    assert obj["input"] == "\ufffd\ufffd\ufffd7"
    assert obj["error"]["message"] == "unexpected character '\\ud800'"
    # main(), given one in sys.argv by a Python caller, reads it as U+FFFD like a bad byte
    result = run("parse", "\ud8007", "--format", "json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["input"] == "\ufffd\ufffd\ufffd7"


def test_a_misspelt_command_gets_a_suggestion():
    # main() builds only the command named; any other first word gets the whole app
    result = subprocess.run(
        [sys.executable, "-m", "chainrule_cli", "dif", "x^2", "x"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "No such command 'dif'. Did you mean 'diff'?" in result.stderr


def test_bytes_that_are_not_utf8_never_reach_json_raw():
    # found by fuzzing: x\xff on the command line put the raw byte into the JSON
    result = subprocess.run(
        [sys.executable, "-m", "chainrule_cli", "parse", "-f", "json", b"x\xff"],
        capture_output=True,
    )
    assert result.returncode == 2
    obj = json.loads(result.stdout.decode("utf-8"))  # strict: valid UTF-8
    assert obj["input"] == "x\ufffd"
    assert obj["error"] == {
        "kind": "parse",
        "message": "unexpected character '\ufffd' (the input has bytes that are not UTF-8 text)",
        "column": 2,
    }


def test_an_output_file_name_that_is_not_utf8_is_kept(tmp_path):
    target = os.fsencode(tmp_path) + b"/res\xff.txt"
    result = subprocess.run(
        [sys.executable, "-m", "chainrule_cli", "diff", "x^2", "x", "-o", target],
        capture_output=True,
    )
    assert result.returncode == 0, result.stderr
    assert os.path.exists(target)
    assert b"dy/dx = 2x" in open(target, "rb").read()  # noqa: SIM115


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```(?:sh|bash|console)?\n(.*?)\n```", quick, flags=re.S)


def test_readme_quick_start_has_exactly_two_one_line_commands():
    commands = readme_commands()
    assert len(commands) == 2
    assert all("\n" not in c for c in commands)
    assert commands[0].startswith("pip install . && chainrule ")
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_commands()[1] in ci


def test_readme_examples_are_true():
    """Every `$ chainrule …` line in the README is followed by the output it really prints."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    examples = re.findall(
        r"^\$ ((?:printf .+ \| )?chainrule .+)\n((?:(?!\$ |```).*\n)*?)```", text, flags=re.M
    )
    assert len(examples) >= 12
    env = dict(os.environ, NO_COLOR="1", LANG="C.UTF-8")
    env.pop("LC_ALL", None)
    for command, expected in examples:
        feed, _, command = command.rpartition(" | ")
        args = _shell_split(command)[1:]
        stdin = _shell_split(feed)[1].encode().decode("unicode_escape") if feed else None
        result = subprocess.run(
            [sys.executable, "-m", "chainrule_cli", *args],
            capture_output=True,
            text=True,
            env=env,
            input=stdin,
        )
        assert result.stdout + result.stderr == expected, command


def _shell_split(command: str) -> list[str]:
    import shlex

    return shlex.split(command)
