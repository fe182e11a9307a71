"""The vocabulary of the input language: constants, Greek letters and the functions people type."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import sympy

from chainrule_cli import functions


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """A function name: how many arguments it takes and how to build it."""

    name: str
    build: Callable[..., sympy.Basic]
    min_args: int = 1
    max_args: int | None = 1
    # sin^-1 x means asin x, as in textbooks
    inverse: str | None = None


GREEK = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron "
    "rho sigma tau upsilon phi chi psi omega"
).split()

GREEK_UPPER = "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split()

UNICODE_GREEK = {
    "α": "alpha",
    "β": "beta",
    "γ": "gamma",
    "δ": "delta",
    "ε": "epsilon",
    "ϵ": "epsilon",
    "ζ": "zeta",
    "η": "eta",
    "θ": "theta",
    "ϑ": "theta",
    "ι": "iota",
    "κ": "kappa",
    "λ": "lambda",
    "μ": "mu",
    "ν": "nu",
    "ξ": "xi",
    "ο": "omicron",
    "ρ": "rho",
    "σ": "sigma",
    "τ": "tau",
    "υ": "upsilon",
    "φ": "phi",
    "ϕ": "phi",
    "χ": "chi",
    "ψ": "psi",
    "ω": "omega",
    "Γ": "Gamma",
    "Δ": "Delta",
    "Θ": "Theta",
    "Λ": "Lambda",
    "Ξ": "Xi",
    "Σ": "Sigma",
    "Υ": "Upsilon",
    "Φ": "Phi",
    "Ψ": "Psi",
    "Ω": "Omega",
}

CONSTANTS: dict[str, sympy.Basic] = {
    "e": sympy.E,
    "E": sympy.E,
    "pi": sympy.pi,
    "Pi": sympy.pi,
    "oo": sympy.oo,
    "inf": sympy.oo,
    "infinity": sympy.oo,
    "zoo": sympy.zoo,
    "nan": sympy.nan,
    "I": sympy.I,
    "EulerGamma": sympy.EulerGamma,
    "True": sympy.true,
    "False": sympy.false,
}

# Names SymPy's str() prints for functions that the differentiation rules never produce from
# user input, but which must parse back (JSON output is input).


def _log(arg, base=None):
    return sympy.log(arg) if base is None else sympy.log(arg, base)


def _max(*args):
    return sympy.Max(*args)


def _min(*args):
    return sympy.Min(*args)


def _heaviside(arg, h0=None):
    return sympy.Heaviside(arg) if h0 is None else sympy.Heaviside(arg, h0)


def absolute(arg):
    """|arg|. SymPy leaves |2|x|| as 2·Abs(Abs(x)) and |−|x|| as Abs(Abs(x)), which read back
    as 2·|x| and |x|: the parsed expression and its text would differ. |(|u|)| is |u|."""
    value = sympy.Abs(arg)
    if isinstance(value, sympy.Abs) and isinstance(value.args[0], sympy.Abs):
        return value.args[0]  # |−|x|| is |x|
    if not value.is_Mul:
        return value
    return sympy.Mul(
        *(f.args[0] if isinstance(f, sympy.Abs) and isinstance(f.args[0], sympy.Abs) else f
          for f in value.args)
    )  # fmt: skip


def _dirac_delta(arg, k=None):
    return sympy.DiracDelta(arg) if k is None else sympy.DiracDelta(arg, k)


def _root(arg, n):
    return sympy.root(arg, n)


def _spec(name, build, min_args=1, max_args=1, inverse=None):
    return FunctionSpec(name, build, min_args, max_args, inverse)


_UNARY = {
    "sin": (sympy.sin, "asin"),
    "cos": (sympy.cos, "acos"),
    "tan": (sympy.tan, "atan"),
    "cot": (sympy.cot, "acot"),
    "sec": (sympy.sec, "asec"),
    "csc": (sympy.csc, "acsc"),
    "asin": (sympy.asin, None),
    "acos": (sympy.acos, None),
    "atan": (sympy.atan, None),
    "acot": (sympy.acot, None),
    "asec": (sympy.asec, None),
    "acsc": (sympy.acsc, None),
    "sinh": (sympy.sinh, "asinh"),
    "cosh": (sympy.cosh, "acosh"),
    "tanh": (sympy.tanh, "atanh"),
    "coth": (sympy.coth, "acoth"),
    "sech": (sympy.sech, "asech"),
    "csch": (sympy.csch, "acsch"),
    "asinh": (sympy.asinh, None),
    "acosh": (sympy.acosh, None),
    "atanh": (sympy.atanh, None),
    "acoth": (sympy.acoth, None),
    "asech": (sympy.asech, None),
    "acsch": (sympy.acsch, None),
    "exp": (sympy.exp, None),
    "ln": (sympy.log, None),
    "log2": (lambda a: sympy.log(a, 2), None),
    "log10": (lambda a: sympy.log(a, 10), None),
    "sqrt": (sympy.sqrt, None),
    "cbrt": (sympy.cbrt, None),
    "Abs": (absolute, None),
    "abs": (absolute, None),
    "sign": (sympy.sign, None),
    "sgn": (sympy.sign, None),
    "sigmoid": (functions.sigmoid, None),
    "relu": (functions.relu, None),
    "softplus": (functions.softplus, None),
    "erf": (sympy.erf, None),
    "erfc": (sympy.erfc, None),
    "erfi": (sympy.erfi, None),
    "gamma": (sympy.gamma, None),
    "loggamma": (sympy.loggamma, None),
    "digamma": (sympy.digamma, None),
    "Ei": (sympy.Ei, None),
    "Si": (sympy.Si, None),
    "Ci": (sympy.Ci, None),
    "Shi": (sympy.Shi, None),
    "Chi": (sympy.Chi, None),
    "li": (sympy.li, None),
    "fresnels": (sympy.fresnels, None),
    "fresnelc": (sympy.fresnelc, None),
    "LambertW": (sympy.LambertW, None),
    "floor": (sympy.floor, None),
    "ceiling": (sympy.ceiling, None),
    "ceil": (sympy.ceiling, None),
    "factorial": (sympy.factorial, None),
}

ALIASES = {
    "arcsin": "asin",
    "arccos": "acos",
    "arctan": "atan",
    "arccot": "acot",
    "arcsec": "asec",
    "arccsc": "acsc",
    "arcsinh": "asinh",
    "arccosh": "acosh",
    "arctanh": "atanh",
    "arccoth": "acoth",
    "arcsech": "asech",
    "arccsch": "acsch",
    "arsinh": "asinh",
    "arcosh": "acosh",
    "artanh": "atanh",
    "arcoth": "acoth",
    "arsech": "asech",
    "arcsch": "acsch",
    "cosec": "csc",
    "tg": "tan",
    "ctg": "cot",
    "arctg": "atan",
    "arcctg": "acot",
    "lg": "log10",
    # the hyperbolic functions as Chinese and Russian textbooks name them (同济: sh x, ch x)
    "sh": "sinh",
    "ch": "cosh",
    "th": "tanh",
    "cth": "coth",
    "arsh": "asinh",
    "arch": "acosh",
    "arth": "atanh",
    "arcth": "acoth",
}

FUNCTIONS: dict[str, FunctionSpec] = {
    name: _spec(name, build, inverse=inverse) for name, (build, inverse) in _UNARY.items()
}
FUNCTIONS.update(
    {
        "log": _spec("log", _log, 1, 2),
        "root": _spec("root", _root, 2, 2),
        "Max": _spec("Max", _max, 2, None),
        "max": _spec("max", _max, 2, None),
        "Min": _spec("Min", _min, 2, None),
        "min": _spec("min", _min, 2, None),
        "Heaviside": _spec("Heaviside", _heaviside, 1, 2),
        # DiracDelta(x, 1) is δ'(x), which SymPy makes from d/dx DiracDelta(x)
        "DiracDelta": _spec("DiracDelta", _dirac_delta, 1, 2),
        "atan2": _spec("atan2", sympy.atan2, 2, 2),
        "polygamma": _spec("polygamma", sympy.polygamma, 2, 2),
        "besselj": _spec("besselj", sympy.besselj, 2, 2),
        "bessely": _spec("bessely", sympy.bessely, 2, 2),
        "besseli": _spec("besseli", sympy.besseli, 2, 2),
        "besselk": _spec("besselk", sympy.besselk, 2, 2),
        "Eq": _spec("Eq", sympy.Eq, 2, 2),
        "Ne": _spec("Ne", sympy.Ne, 2, 2),
        "And": _spec("And", sympy.And, 2, None),
        "Or": _spec("Or", sympy.Or, 2, None),
        "Not": _spec("Not", sympy.Not, 1, 1),
    }
)
for _alias, _target in ALIASES.items():
    FUNCTIONS[_alias] = FUNCTIONS[_target]

# Functions whose arguments need their own handling in the parser (tuples, conditions).
SPECIAL_FORMS = ("Derivative", "Subs", "Piecewise")

# Single letters that name unknown functions when followed by "(": f(g(x)) works.
DEFAULT_UNKNOWN_FUNCTIONS = frozenset({"f", "g", "h"})

# Functions SymPy evaluates at an integer by exact arithmetic whose cost grows with the integer
# (gamma(10^6) is a million-digit number, digamma(10^5) a harmonic sum): above
# MAX_EXACT_ARGUMENT they stay unevaluated.
EXACT_BY_SUMMATION = (sympy.factorial, sympy.gamma, sympy.digamma, sympy.polygamma)
MAX_EXACT_ARGUMENT = 1000
# Above this height an expression is not handed to SymPy's automatic evaluation, whose
# assumption queries cost time quadratic (or worse) in its depth: the parser builds such
# expressions unevaluated, and so does the stepper.
EVAL_HEIGHT = 40

# Above this many digits a power of a number is not computed (10^100000 is refused, 10^10^10
# is kept as a tower); --max-digits. MAX_POWER_BITS is the same in bits.
MAX_DIGITS = 3_000
BITS_PER_DIGIT = math.log2(10)
MAX_POWER_BITS = round(MAX_DIGITS * BITS_PER_DIGIT)


def log2_size(value: sympy.Basic) -> float | None:
    """log2 of the size of a rational number or a power tower of them, without computing it.

    None when the value is not such a number (a symbol, pi, a float...).
    """
    if value.is_Rational:
        return math.log2(max(abs(int(value.p)), abs(int(value.q)), 1))
    if value.is_Pow:
        base, exponent = value.args
        base_bits = log2_size(base)
        exp_bits = log2_size(exponent)
        if base_bits is None or exp_bits is None:
            return None
        if exp_bits > 1000:
            return math.inf if base_bits > 0 else 0.0
        return base_bits * 2.0**exp_bits
    return None


def power_is_huge(
    base: sympy.Basic, exponent: sympy.Basic, max_bits: float = MAX_POWER_BITS
) -> bool:
    """Would base**exponent, both rational numbers or towers of them, have more than max_bits
    bits?"""
    base_bits = log2_size(base)
    exp_bits = log2_size(exponent)
    if base_bits is None or exp_bits is None or base_bits == 0:
        return False
    if exp_bits > 1000:
        return True
    return base_bits * 2.0**exp_bits > max_bits


def all_known_names() -> list[str]:
    """Every name the parser knows, for 'did you mean' suggestions."""
    return sorted({*FUNCTIONS, *SPECIAL_FORMS, *CONSTANTS, *GREEK, *GREEK_UPPER})


def spelt(name: str) -> str:
    """A name as the lexer reads it: θ is theta, λ_1 is lambda_1 (for --shape and --at names,
    which are not tokenized)."""
    return "".join(UNICODE_GREEK.get(ch, ch) for ch in name)
