"""A practice round in a terminal (`chainrule practice` with a terminal on both ends): one
problem at a time, the student's answer read and graded by `check` (the counterexample and the
likely mistake, never the answer), `?` for the next hint level, `s` for the derivation, `q` to
stop; then the score. A problem counts when it is answered right before its derivation is
shown.
"""

from __future__ import annotations

from collections.abc import Callable

from chainrule_cli.render import messages


def play(sheet, lang: str, ask: Callable[[str], str], say: Callable[[str], None]) -> int:
    """The round; `ask(prompt)` reads a line (EOFError ends the round), `say(text)` prints.
    Returns the score."""
    from chainrule_cli.api import ChainruleError, check, hint
    from chainrule_cli.render.check import sentences
    from chainrule_cli.render.practice import answer_text, task_text, title
    from chainrule_cli.render.printing import UnicodePrinter

    word = lambda key, **f: messages.word(key, lang, **f)  # noqa: E731
    show = UnicodePrinter().doprint
    problems = sheet.problems
    say(f"{title(sheet, lang)} — {word('practice.seed', seed=sheet.seed)}")
    score = 0
    for p in problems:
        say("")
        say(word("practice.problem", n=p.id, count=len(problems), task=task_text(p, lang)))
        level = 0
        while True:
            try:
                given = ask(word("practice.prompt")).strip()
            except EOFError:
                say("")
                say(word("practice.score", score=score, count=len(problems)))
                return score
            if not given:
                continue
            if given.lower() in ("q", "quit"):
                say(word("practice.score", score=score, count=len(problems)))
                return score
            if given.lower() in ("s", "show"):
                say(p.derivation.render("text", lang).rstrip("\n"))
                say(word("practice.shown", answer=answer_text(p)))
                break
            if given == "?":
                if level >= 3 or p.derivation.equation is not None and level >= 1:
                    say(word("practice.no_more_hints"))
                    continue
                level += 1
                if p.derivation.equation is not None:
                    say("  " + word("practice.implicit_hint"))
                    continue
                found = hint(p.expr, p.var, level)
                say(found.render("text", lang).rstrip("\n"))
                continue
            try:
                graded = check(p.expr, p.var, given)
            except ChainruleError as exc:
                say(word("practice.unreadable", error=str(exc)))
                continue
            if graded.verdict == "correct":
                say(word("practice.correct"))
                score += 1
                break
            say(word("practice.wrong"))
            for said, _ in sentences(graded, lang, show, "dy/dx"):
                if not said.startswith("  "):  # the mistake's own line would give the answer
                    say("  " + said)
            say(word("practice.again"))
    say("")
    say(word("practice.score", score=score, count=len(problems)))
    return score
