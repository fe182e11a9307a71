"""--format html: one self-contained page per command (diff, grad, jacobian, graph, check) that
parses, loads nothing from the network, carries its mathematics as MathML and its steps as
<details>, speaks the language asked for, and (with Chromium) renders to a page that is not
blank."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sympy
from conftest import runner

from chainrule_cli.api import differentiate
from chainrule_cli.render import messages
from chainrule_cli.render.formulas import FORMULAS
from chainrule_cli.render.html import (
    MathPrinter,
    built_mathml,
    fences,
    inline_svg,
    math,
    merge,
    render_html,
    tex_mathml,
)

SIGMOID = "1/(1+exp(-(w*x+b)))"

# (name, arguments): one of each command, and the words in Chinese each must show
COMMANDS = {
    "diff": ["diff", SIGMOID, "x", "--at", "x=1,w=2,b=0"],
    "grad": ["grad", "sigmoid(w*x + b)", "w", "b"],
    "jacobian": ["jacobian", "[r*cos(theta), r*sin(theta)]", "r", "theta"],
    "graph": ["graph", "tanh(w*x + b)", "--at", "w=1,x=2,b=0.5"],
    "check": ["check", "sin(x^2)", "x", "cos(x^2)"],
}
ZH_WORDS = {
    "diff": ["ui.result", "ui.let"],
    "grad": ["ui.gradient", "ui.result"],
    "jacobian": ["ui.jacobian"],
    "graph": ["ui.forward", "ui.backward_table", "ui.col_node"],
    "check": ["ui.incorrect", "ui.correct_derivation"],
}


class Page(HTMLParser):
    """The page's tags, their attributes, and whether every opened element was closed."""

    VOID = {"meta", "br", "hr", "img", "link", "input", "col", "area", "base", "wbr", "path",
            "polygon", "ellipse", "polyline", "mspace", "stop"}  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse(page: str) -> Page:
    parser = Page()
    parser.feed(page)
    parser.close()
    return parser


def run(tmp_path: Path, name: str, *extra: str) -> str:
    out = tmp_path / f"{name}.html"
    result = runner.invoke([*COMMANDS[name], "--format", "html", "-o", str(out), *extra])
    assert result.exit_code in (0, 1), result.output  # check exits 1 on a wrong answer
    return out.read_text(encoding="utf-8")


def assert_offline(page: str) -> None:
    """Nothing the page could fetch: no address, no src=, no link, script, url() or @import."""
    found = re.findall(r"https?:|//[a-z0-9.-]+\.[a-z]{2,}/|\bsrc\s*=|<link\b|<script\b|<iframe\b"
                       r"|<object\b|<embed\b|url\(|@import", page, flags=re.I)  # fmt: skip
    assert not found, found


def assert_page(page: str) -> Page:
    assert page.startswith("<!DOCTYPE html>")
    parsed = parse(page)
    assert not parsed.errors, parsed.errors[:5]
    assert not parsed.stack, parsed.stack
    assert_offline(page)
    tags = [t for t, _ in parsed.tags]
    assert tags.count("math") >= 2
    assert "style" in tags and "title" in tags
    maths = [a for t, a in parsed.tags if t == "math"]
    assert all(a.get("display") in ("inline", "block") for a in maths)
    return parsed


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_command_makes_one_offline_page(tmp_path, name):
    page = run(tmp_path, name)
    parsed = assert_page(page)
    tags = [t for t, _ in parsed.tags]
    if name != "graph":
        assert "details" in tags and "summary" in tags
        for _, attrs in parsed.tags:
            if _ == "details":
                assert "open" in attrs
    else:
        assert "table" in tags
    assert "✓" in page or "✗" in page  # the verdict


def test_diff_page_has_the_derivation_and_the_answer(tmp_path):
    page = run(tmp_path, "diff")
    derivation = differentiate(SIGMOID, "x")
    printer = MathPrinter(derivation.typed)
    assert f'<span class="answer">{math(printer.text(derivation.result))}</span>' in page
    assert 'class="answer"' in page  # boxed
    # one per step, but d/dx (x) = 1, folded into the line that uses it (--detail full shows it)
    assert page.count("<details open") == len(derivation.steps) - 1
    # sub-steps nested inside their step: the chain rule holds all the others
    first = page.index('id="step-1"')
    assert page.index('id="step-2"') > first
    # the worked forms: (wx)' + b' with primes, and the y-form w·y·(1 − y)
    assert "&#x2032;" in page
    assert "In terms of" in page
    assert "Value at" in page and "≈" in page  # --at: exact and decimal
    assert messages.word("ui.verified", "en") in page
    assert "<mi>u</mi><mo>=</mo>" in page  # let u = …
    assert "&ExponentialE;" not in page and "&dd;" not in page


def test_formula_and_summary():
    derivation = differentiate("x^2*sin(x)", "x")
    page = render_html(derivation)
    summary = re.search(r"<summary>(.*?)</summary>", page, re.S).group(1)
    assert "1." in summary and "Product rule" in summary and "<math" in summary
    for key, (_, latex) in FORMULAS.items():
        markup = tex_mathml(latex)
        assert "\\" not in markup, key
        assert not parse(f"<math>{markup}</math>").errors, key


def test_worked_forms_are_mathml_with_primes():
    x = sympy.Symbol("x")
    form = sympy.Add(
        sympy.Mul(sympy.Derivative(x**2, x), sympy.sin(x), evaluate=False),
        sympy.Mul(-1, x**2, sympy.Derivative(sympy.sin(x), x), evaluate=False),
        evaluate=False,
    )
    markup = built_mathml(form, MathPrinter())
    assert markup.count("&#x2032;") == 2
    assert "<mo>&#x2212;</mo>" in markup  # a real minus, between the terms
    assert not re.search(r">[-−]<", markup)  # no bare sign left


def test_escapes_what_it_is_given(tmp_path):
    derivation = differentiate("x^2", "x")
    page = render_html(derivation)
    assert "<script" not in page
    merged = merge([page, page])
    assert merged.count("<!DOCTYPE html>") == 1
    assert merged.count('<section id="problem-') == 2
    svg = inline_svg(
        '<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"><svg xmlns="http://www.w3.org/2000/svg"'
        ' xmlns:xlink="http://www.w3.org/1999/xlink"><a xlink:href="http://x.example/"><text>'
        "a</text></a><script>alert(1)</script></svg>"
    )
    assert_offline(svg)
    assert "<svg" in svg and "<script" not in svg


def test_stretchy_brackets_only_around_tall_content():
    assert 'stretchy="false"' in fences("<mo>(</mo><mi>u</mi><mo>)</mo>")
    tall = "<mo>(</mo><mfrac><mn>1</mn><mi>u</mi></mfrac><mo>)</mo>"
    assert fences(tall) == tall


@pytest.mark.parametrize("name", list(COMMANDS))
def test_chinese_words(tmp_path, name):
    page = run(tmp_path, name, "--lang", "zh")
    assert_page(page)
    assert '<html lang="zh-Hans">' in page
    for key in ZH_WORDS[name]:
        word = messages.word(key, "zh")
        assert word in page, (key, word)
    assert "Result" not in page


def test_standalone_and_stdout():
    result = runner.invoke(["diff", "x^2", "x", "--format", "html", "--standalone"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("<!DOCTYPE html>")
    assert result.output.rstrip().endswith("</html>")


def test_batch_is_one_page():
    result = runner.invoke(["diff", "-", "x", "--format", "html"], input="x^2\nsin(x)\n")
    assert result.exit_code == 0, result.output
    assert result.output.count("<!DOCTYPE html>") == 1
    assert result.output.count('<section id="problem-') == 2
    assert_page(result.output)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_graph_has_inline_svg(tmp_path):
    page = run(tmp_path, "graph")
    assert "<svg" in page and "</svg>" in page
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page
    assert_offline(page)


# ---- rendered by a real browser ------------------------------------------------------------------


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def png_pixels(data: bytes) -> tuple[int, int, set[tuple[int, ...]]]:
    """Width, height and the set of colours of a PNG (8-bit RGB or RGBA, no interlace), decoded
    with zlib alone."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, header = 8, [], None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    previous = bytearray(stride)
    colours: set[tuple[int, ...]] = set()
    i = 0
    for _ in range(height):
        kind = raw[i]
        line = bytearray(raw[i + 1 : i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = previous[x]
            c = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + a) & 255
            elif kind == 2:
                line[x] = (line[x] + b) & 255
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        for x in range(0, stride, channels * 7):  # a sample of the pixels is enough
            colours.add(tuple(line[x : x + 3]))
        previous = line
    return width, height, colours


def test_png_reader():
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    width, height = 2, 2
    rows = b"\x00" + bytes([255, 0, 0, 0, 255, 0]) + b"\x02" + bytes([0, 0, 255, 0, 0, 0])
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
    png += chunk(b"IEND", b"")
    # row 2 is filtered "up": (0, 0, 255) added to the pixel above, (255, 0, 0)
    assert png_pixels(png) == (2, 2, {(255, 0, 0), (255, 0, 255)})


def test_renders_in_headless_chromium(tmp_path):
    browser = chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but chromium is not installed (.ci/run installs it)")
        pytest.skip("chromium is not installed")
    page = tmp_path / "page.html"
    result = runner.invoke(["diff", SIGMOID, "x", "--format", "html", "-o", str(page)])
    assert result.exit_code == 0, result.output
    shot = tmp_path / "out.png"
    profile = tmp_path / "profile"
    subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         f"--user-data-dir={profile}", f"--screenshot={shot}", "--window-size=1000,1400",
         page.resolve().as_uri()],
        capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    assert shot.exists(), "chromium wrote no screenshot"
    width, height, colours = png_pixels(shot.read_bytes())
    assert 800 <= width <= 2200 and 1000 <= height <= 3000, (width, height)
    assert len(colours) >= 8, f"a blank page: {len(colours)} colours"
    assert (255, 255, 255) in colours  # the paper
