"""Issue 26, musts 4 and 5: chainrule practice. Problems generated to use their topic's rule,
with verified derivations; the same seed gives the same set; sheets and keys in every format
(LaTeX that compiles, HTML with the answers folded, TSV that check - grades); a round in a real
pseudo-terminal."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import time
from importlib import resources

import jsonschema
import pytest
from conftest import runner

from chainrule_cli import api
from chainrule_cli.calculus.practice import LEVELS, TOPIC_RULES, TOPICS

SCHEMA = json.loads(resources.files("chainrule_cli.schemas").joinpath("practice.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def practice(*args: str):
    return runner.invoke(["practice", *args])


@pytest.mark.parametrize("topic", TOPICS)
def test_every_topic_and_level_uses_its_rule_and_verifies(topic):
    for level in LEVELS:
        sheet = api.practice(topic, 4, 11, level)
        assert len(sheet.problems) == 4
        assert len({p.expr for p in sheet.problems}) == 4  # all different
        for p in sheet.problems:
            assert p.derivation.verified, p.expr
            own = TOPIC_RULES[p.topic]
            assert own & set(p.rules), (topic, level, p.expr, p.rules)
            # the answer is the derivative of the problem as typed, read back by check
            graded = api.check(p.expr, p.var, str(p.answer))
            assert graded.verdict == "correct", (p.expr, p.answer)


def test_the_same_seed_gives_the_same_set_and_another_seed_another():
    first = practice("--topic", "chain", "--seed", "7", "-f", "json")
    again = practice("--topic", "chain", "--seed", "7", "-f", "json")
    other = practice("--topic", "chain", "--seed", "8", "-f", "json")
    assert first.stdout == again.stdout
    assert json.loads(first.stdout)["problems"] != json.loads(other.stdout)["problems"]


def test_json_contract():
    result = practice("--topic", "product", "--count", "3", "--seed", "2", "-f", "json")
    assert result.exit_code == 0
    obj = json.loads(result.stdout)
    VALIDATOR.validate(obj)
    assert (obj["seed"], obj["topic"], obj["level"], obj["count"]) == (2, "product", "medium", 3)
    assert [p["id"] for p in obj["problems"]] == [1, 2, 3]
    assert all("product" in p["rules"] for p in obj["problems"])
    full = json.loads(practice("--topic", "power", "--count", "1", "-f", "json", "--key",
                               "full").stdout)  # fmt: skip
    VALIDATOR.validate(full)
    assert full["problems"][0]["derivation"]["schema"] == "chainrule.derivation/1"


def test_text_sheet_and_key():
    sheet = practice("--topic", "chain", "--count", "3", "--seed", "7", "--level", "easy",
                     "-f", "text").stdout  # fmt: skip
    assert sheet == (
        "Practice: the chain rule (easy)\n"
        "Differentiate each function with respect to x. (seed 7)\n"
        "\n"
        "  1. d/dx (cos(7x + 3))\n"
        "  2. d/dx ((8x + 4)^4)\n"
        "  3. d/dx (sin(7x))\n"
    )
    key = practice("--topic", "chain", "--count", "3", "--seed", "7", "--level", "easy",
                   "-f", "text", "--key").stdout  # fmt: skip
    assert key.startswith(sheet) and key.endswith(
        "Answers\n  1. dy/dx = −7·sin(7x + 3)\n  2. dy/dx = 32(8x + 4)^3\n  3. dy/dx = 7·cos(7x)\n"
    )
    full = practice("--topic", "chain", "--count", "1", "--seed", "7", "--level", "easy",
                    "-f", "text", "--key", "full").stdout  # fmt: skip
    assert "Chain rule" in full and "✓ Every step verified against SymPy." in full


def test_tsv_key_is_graded_by_check():
    key = practice("--topic", "mixed", "--count", "6", "--seed", "5", "-f", "tsv").stdout
    lines = key.splitlines()
    assert lines[0].startswith("# Practice: mixed rules (medium): answer key")
    assert len(lines) == 7 and all(len(line.split("\t")) == 4 for line in lines[1:])
    graded = runner.invoke(["check", "-", "-f", "json"], input=key)
    assert graded.exit_code == 0
    assert [json.loads(o)["verdict"] for o in graded.stdout.splitlines()] == ["correct"] * 6
    # a class's answers in the third column: a wrong one is found, with its mistake
    expr, var, _, number = lines[1].split("\t")
    wrong = f"{expr}\t{var}\t0\t{number}\n"
    assert runner.invoke(["check", "-"], input=wrong).exit_code == 1


def test_html_folds_hint_answer_and_each_step():
    page = practice("--topic", "quotient", "--count", "2", "--seed", "3", "-f", "html").stdout
    assert page.startswith("<!DOCTYPE html>")
    assert page.count('<section class="problem"') == 2
    assert page.count("<details><summary>Hint</summary>") == 2
    assert page.count("<details><summary>Answer</summary>") == 2
    assert "<details open" not in page  # every step closed, opened one at a time
    assert 'id="p2-step-1"' in page and 'id="p1-step-1"' in page
    assert "<script" not in page


def test_latex_worksheet_and_key_text():
    sheet = practice("--topic", "quotient", "--count", "2", "--seed", "3", "-f", "latex",
                     "--standalone").stdout  # fmt: skip
    assert sheet.startswith("\\documentclass{article}") and sheet.endswith("\\end{document}\n")
    assert "Name: \\rule{7cm}{0.4pt}" in sheet and "\\vspace{5\\baselineskip}" in sheet
    assert sheet.count("\\item ") == 2
    key = practice("--topic", "quotient", "--count", "2", "--seed", "3", "-f", "latex",
                   "--standalone", "--key").stdout  # fmt: skip
    assert "answer key" in key and "\\frac{dy}{dx} = " in key and "Name:" not in key
    block = practice("--topic", "quotient", "--count", "2", "-f", "latex").stdout
    assert block.startswith("\\begin{enumerate}") and "documentclass" not in block


@pytest.mark.skipif(shutil.which("pdflatex") is None or shutil.which("xelatex") is None,
                    reason="needs pdflatex and xelatex (.ci/run installs them)")  # fmt: skip
@pytest.mark.parametrize(
    "engine, args",
    [
        ("pdflatex", ["--topic", "quotient", "--count", "4"]),
        ("pdflatex", ["--topic", "mixed", "--count", "4", "--key", "full"]),
        ("xelatex", ["--topic", "implicit", "--count", "3", "--lang", "zh"]),
        ("xelatex", ["--topic", "chain", "--count", "3", "--lang", "zh", "--key", "full"]),
    ],
)
def test_worksheets_and_keys_compile(tmp_path, engine, args):
    result = practice(*args, "--seed", "4", "-f", "latex", "--standalone")
    assert result.exit_code == 0
    (tmp_path / "sheet.tex").write_text(result.stdout, encoding="utf-8")
    done = subprocess.run([engine, "-interaction=nonstopmode", "-halt-on-error", "sheet.tex"],
                          cwd=tmp_path, capture_output=True, timeout=180)  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:]
    assert (tmp_path / "sheet.pdf").stat().st_size > 1000


def test_chinese_sheet():
    out = practice("--topic", "trig", "--count", "2", "--lang", "zh", "-f", "text", "--key").stdout
    assert out.startswith("练习：三角函数（中等）\n求下列各函数对 x 的导数。（随机种子 1）\n")
    assert "答案" in out


@pytest.mark.parametrize("topic", TOPICS)
def test_forty_different_problems_of_every_topic_at_every_level(topic):
    for level in LEVELS:
        sheet = api.practice(topic, 40, 3, level)
        assert len({p.expr for p in sheet.problems}) == 40


def test_more_problems_than_a_topic_has_is_refused_in_one_line():
    result = practice("--topic", "inverse-trig", "--level", "easy", "--count", "100")
    assert result.exit_code == 2 and result.stdout == ""
    assert re.fullmatch(r"error: there are only \d+ different problems of inverse-trig \(easy\):"
                        r" ask for \d+ or fewer, or another level\n", result.stderr)  # fmt: skip


def test_usage_errors():
    assert practice("--topic", "calculus").exit_code == 2
    assert practice("--count", "0").exit_code == 2
    assert practice("--level", "impossible").exit_code == 2
    assert "inverse-trig" in practice("--help").stdout


# ---- the round, in a real pseudo-terminal ----------------------------------------------------


def _round(answers: list[str], *args: str) -> str:
    """Run `chainrule practice` on a pseudo-terminal, typing each answer after its prompt."""
    master, slave = pty.openpty()
    env = dict(os.environ, NO_COLOR="1", LANG="C.UTF-8", COLUMNS="100")
    proc = subprocess.Popen([sys.executable, "-m", "chainrule_cli", "practice", *args],
                            stdin=slave, stdout=slave, stderr=slave, env=env,
                            close_fds=True)  # fmt: skip
    os.close(slave)
    seen = b""

    def read_until(token: bytes, timeout: float = 120) -> None:
        nonlocal seen
        end = time.monotonic() + timeout
        while token not in seen and time.monotonic() < end:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    seen += os.read(master, 65536)
                except OSError:
                    return

    try:
        for answer in answers:
            read_until(b"Your answer")
            assert b"Your answer" in seen, seen.decode(errors="replace")
            seen = seen.replace(b"Your answer", b"[prompt]", 1)
            os.write(master, answer.encode() + b"\n")
        read_until(b"Score:")
        proc.wait(timeout=60)
        read_until(b"\x00", 1)  # the rest of the last line
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    return seen.decode(errors="replace").replace("\r\n", "\n")


def test_a_round_in_a_terminal():
    out = _round(["sin(7x+3)", "?", "-7 sin(7x+3)", "s", "7cos(7x)"],
                 "--topic", "chain", "--count", "3", "--seed", "7", "--level", "easy")  # fmt: skip
    assert "Problem 1 of 3: d/dx (cos(7x + 3))" in out
    assert "✗ Not yet." in out and "At x = 1 the answer is sin(10)" in out
    assert "Likely mistake:" in out
    assert "Hint (level 1 of 3) for d/dx (cos(7x + 3))" in out  # ? gives the hint
    assert out.count("✓ Correct.") == 2
    assert "The answer: dy/dx = 32(8x + 4)^3" in out  # s shows the derivation
    assert re.search(r"Score: 2/3\s*$", out)


def test_a_round_can_be_stopped():
    out = _round(["q"], "--topic", "power", "--count", "2", "--seed", "1")
    assert "Problem 1 of 2" in out and re.search(r"Score: 0/2\s*$", out)
