"""Graphviz's dot, run on the DOT text of a computational graph (render/dot.py) to draw it as SVG
or PNG: the one place chainrule runs another program."""

from __future__ import annotations

import shutil
import subprocess

from chainrule_cli.errors import UnsupportedError

FORMATS = ("svg", "png")
# An HTML page draws its graph up to this many nodes (a larger drawing is not worth reading).
DRAWN_NODES = 400


def draw(dot_source: str, fmt: str, timeout: float = 60) -> bytes:
    """DOT text drawn by Graphviz's dot as SVG or PNG."""
    from chainrule_cli.calculus.deep import TimeoutError_

    if fmt not in FORMATS:
        raise UnsupportedError(f"--format {fmt} is not a Graphviz format chainrule writes")
    program = shutil.which("dot")
    if program is None:
        raise UnsupportedError(
            f"--format {fmt} needs Graphviz's dot (Debian: apt-get install graphviz);"
            " --format dot writes the graph for it"
        )
    try:
        result = subprocess.run(  # a fixed argument list, no shell
            [program, f"-T{fmt}"],
            input=dot_source.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise TimeoutError_(
            f"Graphviz's dot gave up after {timeout:g} seconds (raise it with --timeout)"
        ) from exc
    if result.returncode != 0 or not result.stdout:
        said = result.stderr.decode("utf-8", "replace").strip().splitlines()
        first = said[0] if said else f"exit status {result.returncode}"
        raise UnsupportedError(f"Graphviz's dot failed: {first}")
    return result.stdout


def picture(graph, at, lang: str, timeout: float = 60) -> str | None:
    """The graph drawn as SVG text for an HTML page; None without dot, for a graph too large to
    read, or when dot fails (the page is whole without it)."""
    from chainrule_cli.errors import ChainruleError
    from chainrule_cli.render.dot import render_dot

    if shutil.which("dot") is None or len(graph.nodes) > DRAWN_NODES:
        return None
    try:
        return draw(render_dot(graph, at, lang), "svg", timeout).decode("utf-8", "replace")
    except (ChainruleError, OSError):
        return None
