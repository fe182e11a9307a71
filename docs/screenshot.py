"""Make the README's terminal picture: `python docs/screenshot.py` writes docs/article.svg."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from chainrule_cli import differentiate


def main() -> None:
    derivation = differentiate("1/(1+exp(-(w*x+b)))", "x")
    console = Console(record=True, width=86, force_terminal=True, color_system="truecolor")
    console.print(derivation)
    target = Path(__file__).with_name("article.svg")
    console.save_svg(str(target), title='chainrule diff "1/(1+exp(-(w*x+b)))" x')
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
