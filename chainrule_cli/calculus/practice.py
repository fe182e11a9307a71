"""Problems to practise on (`chainrule practice`): each generated from its topic's templates
with random coefficients, read as any input is, differentiated with every step verified, and
kept only if its derivation uses the topic's rule. The same (topic, level, seed) gives the same
set, on every machine: the generator is random.Random seeded with a string.
"""

from __future__ import annotations

import random

import sympy

from chainrule_cli.calculus.steps import Record

TOPICS = ("power", "product", "quotient", "chain", "exp-log", "trig", "inverse-trig",
          "implicit", "logarithmic", "mixed")  # fmt: skip
LEVELS = ("easy", "medium", "hard")
# the rule (a rule name of the derivation JSON) a problem of the topic must use
TOPIC_RULES = {
    "power": {"power"},
    "product": {"product"},
    "quotient": {"quotient"},
    "chain": {"chain"},
    "exp-log": {"exponential", "logarithm"},
    "trig": {"trig"},
    "inverse-trig": {"inverse_trig"},
    "implicit": {"implicit"},
    "logarithmic": {"general_power"},
}
MAX_COUNT = 100

# Templates as a student types them: {a}, {b}, {c} are 2…9, {n}, {m} exponents 2…6, {k} 1…9.
TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "power": {
        "easy": ("{a}x^{n}", "x^{n} + {a}x", "x^{n} - {k}"),
        "medium": ("{a}x^{n} - {b}x^{m} + {c}", "{a}/x^{n}", "{a}x^(1/{n})", "{a}sqrt(x) + x^{n}"),
        "hard": (
            "{a}x^{n} + {b}/x^{m} - {c}sqrt(x)",
            "x^({k}/{n}) - {a}x^(-{m})",
            "(x^{n} + {a})/x",
        ),
    },
    "product": {
        "easy": ("x^{n} sin(x)", "x^{n} e^x", "{a}x cos(x)", "({a}x + {k}) e^x", "x^{n} cos(x)"),
        "medium": ("({a}x + {b}) ln(x)", "x^{n} cos(x)", "e^x sin(x)", "x^{n} ln(x)"),
        "hard": ("x^{n} e^x sin(x)", "(x^{n} + {a})(x^{m} - {b}x)", "x^{n} e^({a}x) cos(x)"),
    },
    "quotient": {
        "easy": ("x/(x + {a})", "({a}x + {b})/({c}x + {k})", "x^{n}/(x - {a})"),
        "medium": ("sin(x)/x", "(x^2 + {a})/(x - {b})", "e^x/(x + {a})", "x/(x^2 + {a})"),
        "hard": (
            "(x^2 + {a}x)/(x^2 + {b})",
            "ln(x)/x^{n}",
            "sin(x)/(1 + cos(x))",
            "e^x/(x^{n} + {a})",
        ),
    },
    "chain": {
        "easy": ("({a}x + {b})^{n}", "sin({a}x)", "e^({a}x)", "cos({a}x + {b})"),
        "medium": (
            "sin({a}x^{n} + {b})",
            "({a}x^2 + {b})^{n}",
            "sqrt({a}x^2 + {b})",
            "ln({a}x^2 + {b})",
        ),
        "hard": (
            "e^(sin({a}x))",
            "ln(cos({a}x))",
            "(sin(x) + {a})^{n}",
            "sqrt(1 + e^({a}x))",
            "sin(({a}x + {b})^{n})",
        ),
    },
    "exp-log": {
        "easy": (
            "e^({a}x)",
            "ln({a}x)",
            "{a}e^x + x",
            "ln(x) + e^x",
            "{a}ln(x) + x^{n}",
            "e^x + {a}x^{n}",
        ),
        "medium": (
            "e^({a}x^2)",
            "ln(x^2 + {a})",
            "{b}^x",
            "e^(-{a}x) + ln({b}x)",
            "e^({a}x + {b}) + x^{n}",
        ),
        "hard": ("x e^(-{a}x)", "ln(x^2 + {a}x + {b})", "e^x ln(x)", "{b}^(x^2)"),
    },
    "trig": {
        "easy": (
            "sin(x) + cos(x)",
            "{a}sin(x)",
            "tan(x)",
            "{a}cos(x) - sin(x)",
            "{a}tan(x)",
            "x^{n} + {a}sin(x)",
            "sin(x) - {a}cos(x)",
        ),
        "medium": (
            "sin({a}x)",
            "cos(x^{n})",
            "tan({a}x)",
            "sec(x)",
            "cot(x)",
            "sin({a}x) + cos({b}x)",
            "{a}sec(x) + x^{n}",
        ),
        "hard": (
            "sin(x) cos(x)",
            "sin(x)^{n}",
            "tan(x)/x",
            "sec({a}x) tan(x)",
            "sin({a}x)^{n}",
            "sin(x^{n}) cos(x)",
        ),
    },
    "inverse-trig": {
        "easy": (
            "arcsin(x)",
            "arctan(x)",
            "arccos(x)",
            "{a}arctan(x)",
            "{a}arcsin(x)",
            "arctan(x) + x^{n}",
            "arccos(x) - {a}x",
            "arcsin(x) + {a}x^{n}",
        ),
        "medium": (
            "arctan({a}x)",
            "arcsin(x/{a})",
            "arctan(x^{n})",
            "arccos({a}x)",
            "{a}arctan(x/{b})",
        ),
        "hard": (
            "x^{n} arctan(x)",
            "arcsin(sqrt({a}x))",
            "arctan({a}/x)",
            "arctan(e^({a}x))",
            "arctan(x)^{n}",
            "x arcsin(x)",
            "e^(arctan({a}x))",
        ),
    },
    "implicit": {
        "easy": ("x^2 + y^2 = {r}", "x y = {a}", "y^2 = {a}x", "{a}x^2 + {b}y^2 = {r}"),
        "medium": (
            "x^2 + {a}x y + y^2 = {b}",
            "y^2 = x^3 + {a}x",
            "{a}x^2 - y^2 = {b}",
            "x^{n} + y^{m} = {a}",
        ),
        "hard": (
            "x^3 + y^3 = {a} x y",
            "sin(y) + {a}x y = {b}",
            "e^y = {a}x + y",
            "x^2 y^2 + {a}y = {b}x",
            "y^3 + {a}x^2 y = {b}",
        ),
    },
    "logarithmic": {
        "easy": ("x^x", "x^({a}x)", "x^(x + {k})", "x^(x^{n})", "{a}x^x", "x^({a}x + {k})"),
        "medium": (
            "x^(sin(x))",
            "(x + {a})^x",
            "x^(1/x)",
            "x^(ln(x))",
            "x^({a}/x)",
            "x^(sin({a}x))",
            "({a}x)^x",
            "x^(cos({a}x))",
        ),
        "hard": (
            "(sin(x))^x",
            "(x^2 + {a})^x",
            "x^(e^x)",
            "(ln(x))^x",
            "(x^2 + {a})^(sin(x))",
            "(x + {a})^(ln(x))",
            "({a}x + {b})^(x^2)",
        ),
    },
}


class Problem(Record):
    """One problem: its number, the text as typed (`expr`), the variable, the verified
    derivation, its answer in textbook form and the rules it uses."""

    id: int
    expr: str
    var: str
    derivation: object  # the api's Derivation
    answer: sympy.Expr
    rules: tuple[str, ...]
    topic: str  # the problem's own topic (a mixed set's problems have theirs)


class Sheet(Record):
    """A set of problems: the topic, the level, the seed and the problems."""

    topic: str
    level: str
    seed: int
    problems: tuple[Problem, ...]
    key: str | None = None  # how the sheet is shown: None, "answers" or "full" (derivations)


def rules_of(derivation) -> tuple[str, ...]:
    """Every rule the derivation uses, in the order it first uses them."""
    seen: list[str] = []
    for step in derivation.root.walk():
        if step.rule not in seen:
            seen.append(step.rule)
    return tuple(seen)


def _fill(template: str, rng: random.Random) -> str:
    values = {
        "a": rng.randint(2, 9), "b": rng.randint(2, 9), "c": rng.randint(2, 9),
        "k": rng.randint(1, 9), "n": rng.randint(2, 6), "m": rng.randint(2, 6),
        "r": rng.choice([4, 9, 16, 25, 36, 49]),
    }  # fmt: skip
    return template.format(**values)


def generate(topic: str, count: int = 5, seed: int = 1, level: str = "medium") -> Sheet:
    """`count` different problems of the topic at the level (see the module's docstring)."""
    from chainrule_cli.api import differentiate

    if topic not in TOPICS:
        raise ValueError(f"topic must be one of {', '.join(TOPICS)}")
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    if not 1 <= count <= MAX_COUNT:
        raise ValueError(f"count must be 1 to {MAX_COUNT}")
    rng = random.Random(f"chainrule-practice/{topic}/{level}/{seed}")
    problems: list[Problem] = []
    seen: set[str] = set()
    decks: dict[str, list[str]] = {}  # each template once before any is used again
    answers: set = set()
    tries = 0
    while len(problems) < count and tries < 100 * count:
        tries += 1
        own = rng.choice(TOPICS[:-1]) if topic == "mixed" else topic
        deck = decks.get(own) or rng.sample(TEMPLATES[own][level], len(TEMPLATES[own][level]))
        template, decks[own] = deck[0], deck[1:]
        text = _fill(template, rng)
        if text in seen:
            continue
        seen.add(text)
        derivation = differentiate(text, "x", timeout=None)
        rules = rules_of(derivation)
        if not derivation.verified or not TOPIC_RULES[own] & set(rules):
            continue
        if derivation.result in answers and tries < 30 * count:
            continue  # x² + y² = 16 and = 49 have one answer, −x/y: another problem first
        answers.add(derivation.result)
        problems.append(Problem(id=len(problems) + 1, expr=text, var="x", derivation=derivation,
                                answer=derivation.result, rules=rules, topic=own))  # fmt: skip
    if len(problems) < count:
        from chainrule_cli.errors import UnsupportedError

        raise UnsupportedError(
            f"there are only {len(problems)} different problems of {topic} ({level}): ask for"
            f" {len(problems)} or fewer, or another level"
        )
    return Sheet(topic=topic, level=level, seed=seed, problems=tuple(problems))
