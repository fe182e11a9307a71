"""`chainrule plot`: f and f′ (and the tangent) or an implicit curve, as SVG, PNG or PDF."""

from __future__ import annotations

import math
import struct
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from conftest import runner

from chainrule_cli.api import differentiate, parse_point  # noqa: E402
from chainrule_cli.render import plot  # noqa: E402


def run(*args: str):
    return runner.invoke(["plot", *args])


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_svg_has_paths_and_the_legend_text(tmp_path):
    out = tmp_path / "f.svg"
    result = run("x^3 - 3x", "--at", "x=2", "-o", str(out))
    assert result.exit_code == 0, result.output
    svg = out.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert svg.count("<path") > 10
    for text in ("f(x) = x^3 − 3x", "f′(x) = 3x^2 − 3", "y = 9x − 16"):
        assert text in svg


def test_png_has_a_plausible_size(tmp_path):
    out = tmp_path / "f.PNG"  # the extension in any case
    result = run("sin(x)", "-o", str(out))
    assert result.exit_code == 0, result.output
    width, height = png_size(out.read_bytes())
    assert (width, height) == (
        round(plot.FIGURE_SIZE[0] * plot.DPI),
        round(plot.FIGURE_SIZE[1] * plot.DPI),
    )


def test_pdf(tmp_path):
    out = tmp_path / "f.pdf"
    result = run("exp(-x^2)", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")


def test_same_plot_same_bytes(tmp_path):
    first, second = tmp_path / "a.svg", tmp_path / "b.svg"
    assert run("x^2", "-o", str(first)).exit_code == 0
    assert run("x^2", "-o", str(second)).exit_code == 0
    assert first.read_bytes() == second.read_bytes()


def test_the_curve_is_where_it_should_be_in_the_pixels():
    import matplotlib.image

    drawing = plot.draw(differentiate("x^2", "x"), {}, (-2.0, 2.0))
    figure, axes = drawing.figure, drawing.axes
    figure.canvas.draw()  # the layout is fixed now: data → pixels below holds for the file
    px, py = axes.transData.transform((1.0, 1.0))
    data = plot.render_plot(drawing, "png")
    import io

    image = matplotlib.image.imread(io.BytesIO(data))
    height = image.shape[0]
    column, row = round(px), round(height - py)
    blue = np.array([int(plot.COLORS["f"][i : i + 2], 16) / 255 for i in (1, 3, 5)])
    patch = image[row - 2 : row + 3, column - 2 : column + 3, :3]
    distance = np.abs(patch - blue).sum(axis=2)
    assert distance.min() < 0.15, patch
    # and nothing blue far from the curve: at (1, 3), above it
    qx, qy = axes.transData.transform((1.0, 3.0))
    far = image[round(height - qy), round(qx), :3]
    assert np.abs(far - blue).sum() > 0.5


def test_tan_is_not_joined_across_its_poles():
    drawing = plot.draw(differentiate("tan x", "x"))
    line = drawing.lines["f"]
    xs, ys = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
    lo, hi = drawing.axes.get_xlim()
    assert lo <= -2 * math.pi + 1e-9 and hi >= 2 * math.pi - 1e-9  # periodic: −2π…2π
    poles = [(k + 0.5) * math.pi for k in range(-2, 2)]
    finite = np.isfinite(ys)
    for pole in poles:
        # no segment between two drawn points crosses the pole
        joined = finite[:-1] & finite[1:] & (xs[:-1] < pole) & (xs[1:] > pole)
        assert not joined.any(), pole
        # a NaN between the last sample before it and the first after it
        left = np.flatnonzero(xs < pole)[-1]
        right = np.flatnonzero(xs > pole)[0]
        assert np.isnan(ys[left + 1 : right]).any(), pole
    assert np.isnan(ys).sum() >= len(poles)
    for name in ("f", "derivative"):  # sec² too
        ys = np.asarray(drawing.lines[name].get_ydata(), float)
        xs = np.asarray(drawing.lines[name].get_xdata(), float)
        ok = np.isfinite(ys[:-1]) & np.isfinite(ys[1:])
        for pole in poles:
            assert not (ok & (xs[:-1] < pole) & (xs[1:] > pole)).any()


def test_sqrt_and_ln_only_where_real():
    drawing = plot.draw(differentiate("sqrt(x) + ln(x)", "x"), {}, (-2.0, 3.0))
    xs = np.asarray(drawing.lines["f"].get_xdata(), float)
    ys = np.asarray(drawing.lines["f"].get_ydata(), float)
    assert np.all(xs[np.isfinite(ys)] > 0)
    assert np.isfinite(ys[xs > 0.1]).all()


def test_the_tangent_at_a_point(tmp_path):
    derivation = differentiate("x^3 - 3x", "x")
    drawing = plot.draw(derivation, parse_point(["x=2"]))
    tx = np.asarray(drawing.lines["tangent"].get_xdata(), float)
    ty = np.asarray(drawing.lines["tangent"].get_ydata(), float)
    slope = (ty[-1] - ty[0]) / (tx[-1] - tx[0])
    assert slope == pytest.approx(9)
    assert np.interp(2.0, tx, ty) == pytest.approx(2)  # through (2, f(2)) = (2, 2)
    assert list(drawing.lines["point"].get_xdata()) == [2.0]
    assert list(drawing.lines["point"].get_ydata()) == [2.0]
    lo, hi = drawing.axes.get_xlim()
    assert lo < 2 < hi
    assert any("y = 9x − 16" in label for label in drawing.labels)


def test_parameters_take_their_values_from_at():
    drawing = plot.draw(differentiate("w*x + b", "x"), parse_point(["w=2,b=1,x=0"]))
    tx = np.asarray(drawing.lines["tangent"].get_xdata(), float)
    ty = np.asarray(drawing.lines["tangent"].get_ydata(), float)
    assert (ty[-1] - ty[0]) / (tx[-1] - tx[0]) == pytest.approx(2)


def test_the_implicit_circle_is_drawn(tmp_path):
    drawing = plot.draw(differentiate("x^2 + y^2 = 25", "x"), parse_point(["x=3,y=4"]))
    assert "f" not in drawing.lines and "derivative" not in drawing.lines
    xs = np.asarray(drawing.lines["curve"].get_xdata(), float)
    ys = np.asarray(drawing.lines["curve"].get_ydata(), float)
    ok = np.isfinite(xs) & np.isfinite(ys)
    assert ok.sum() > 100
    assert np.allclose(np.hypot(xs[ok], ys[ok]), 5, atol=1e-2)
    angles = np.sort(np.arctan2(ys[ok], xs[ok]))
    assert np.diff(angles).max() < 0.1  # all the way round
    tx = np.asarray(drawing.lines["tangent"].get_xdata(), float)
    ty = np.asarray(drawing.lines["tangent"].get_ydata(), float)
    assert (ty[-1] - ty[0]) / (tx[-1] - tx[0]) == pytest.approx(-0.75)
    out = tmp_path / "circle.png"
    result = run("x^2 + y^2 = 25", "x", "--at", "x=3,y=4", "-o", str(out))
    assert result.exit_code == 0, result.output
    png_size(out.read_bytes())


def test_a_point_off_the_curve_is_refused(tmp_path):
    result = run("x^2 + y^2 = 25", "x", "--at", "x=1,y=1", "-o", str(tmp_path / "c.png"))
    assert result.exit_code == 2
    assert "not on the curve" in result.output
    assert not (tmp_path / "c.png").exists()


def test_range_and_negative_numbers(tmp_path):
    out = tmp_path / "r.svg"
    command = [sys.executable, "-m", "chainrule_cli", "plot", "-x^2", "--range", "-pi:2pi"]
    result = subprocess.run([*command, "-o", str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "<path" in out.read_text(encoding="utf-8")
    drawing = plot.draw(differentiate("-x^2", "x"), {}, plot.parse_range("-pi:2pi"))
    lo, hi = drawing.axes.get_xlim()
    assert (lo, hi) == pytest.approx((-math.pi, 2 * math.pi))


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["x^2"], "give -o FILE"),
        (["x^2", "-o", "plot.txt"], "end it in .svg, .png or .pdf"),
        (["x^2", "--range", "3:1", "-o", "p.svg"], "needs A below B"),
        (["x^2", "--range", "3", "-o", "p.svg"], "takes A:B"),
        (["w*x", "x", "-o", "p.svg"], "--at needs a value for w too"),
        (["sqrt(x)", "--at", "x=-1", "-o", "p.svg"], "no real value at x = −1"),
        (["x^2 + y^2 = 25", "x", "--at", "x=3", "-o", "p.svg"], "a tangent needs its point"),
        (["x^2 + y^2 = -1", "x", "-o", "p.svg"], "has no real point"),
        (["f(x)", "x", "-o", "p.svg"], "unknown function"),
    ],
)
def test_bad_usage_is_exit_2(tmp_path, monkeypatch, args, said):
    monkeypatch.chdir(tmp_path)
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert said in result.output
    assert "Traceback" not in result.output


def test_without_matplotlib_one_line_and_exit_1(tmp_path):
    code = (
        "import sys\n"
        "sys.modules['matplotlib'] = None\n"  # import matplotlib raises ImportError
        f"sys.argv = ['chainrule', 'plot', 'x^2', '-o', {str(tmp_path / 'p.png')!r}]\n"
        "from chainrule_cli.cli import main\n"
        "main()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={"LANG": "C.UTF-8"}
    )
    assert result.returncode == 1
    assert result.stderr == 'error: plotting needs matplotlib: pip install "chainrule[plot]"\n'
    assert not (tmp_path / "p.png").exists()


def test_diff_and_help_do_not_import_matplotlib():
    code = (
        "import sys; sys.argv = ['chainrule', 'diff', 'x^2', 'x']\n"
        "from chainrule_cli.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_chinese_words(tmp_path):
    out = tmp_path / "zh.svg"
    result = run("x^2 + y^2 = 25", "x", "--at", "x=3,y=4", "--lang", "zh", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "切线" in out.read_text(encoding="utf-8")


def test_no_tangent_where_there_is_no_derivative(tmp_path):
    out = tmp_path / "abs.png"
    result = run("abs(x)", "--at", "x=0", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "no derivative at x = 0" in result.output
    png_size(out.read_bytes())
