"""Named functions chainrule adds to SymPy: the logistic sigmoid keeps its name σ in the steps."""

from __future__ import annotations

import sympy
from sympy import Function


class sigmoid(Function):  # noqa: N801 - lower case like SymPy's own sin, exp, ...
    """σ(x) = 1/(1 + e^(−x)), with σ'(x) = σ(x)·(1 − σ(x))."""

    nargs = 1

    @classmethod
    def eval(cls, arg):  # trusted: SymPy's evaluation hook, it sees SymPy objects, never text
        if arg.is_zero:
            return sympy.Rational(1, 2)
        if arg is sympy.oo:
            return sympy.S.One
        if arg is sympy.S.NegativeInfinity:
            return sympy.S.Zero
        return None

    def fdiff(self, argindex=1):
        if argindex != 1:
            raise sympy.ArgumentIndexError(self, argindex)
        return self * (1 - self)

    def _eval_rewrite_as_exp(self, arg, **kwargs):
        return 1 / (1 + sympy.exp(-arg))

    def _eval_evalf(self, prec):
        arg = self.args[0]._eval_evalf(prec)
        if arg is None:
            return None
        return (1 / (1 + sympy.exp(-arg)))._eval_evalf(prec)

    def _eval_is_extended_real(self):
        return self.args[0].is_extended_real

    def _eval_is_positive(self):
        if self.args[0].is_extended_real:
            return True
        return None

    def _latex(self, printer, exp=None):
        arg = printer._print(self.args[0])
        base = rf"\sigma\left({arg}\right)"
        return rf"{base}^{{{exp}}}" if exp else base

    def _pretty(self, printer):
        from sympy.printing.pretty.stringpict import prettyForm

        arg = printer._print(self.args[0])
        pform = prettyForm(*arg.parens())
        return prettyForm(*pform.left("σ"))


class relu(Function):  # noqa: N801 - lower case like SymPy's own functions
    """relu(x) = max(0, x), with relu'(x) = H(x) and relu'(0) = 0: the convention of PyTorch and
    JAX, what a machine-learning student checks against (a true max tie keeps its ½–½ split)."""

    nargs = 1

    @classmethod
    def eval(cls, arg):  # trusted: SymPy's evaluation hook, it sees SymPy objects, never text
        if arg.is_number and arg.is_extended_real:
            return sympy.Max(0, arg)
        if arg.is_extended_nonnegative:
            return arg
        if arg.is_extended_nonpositive:
            return sympy.S.Zero
        return None

    def fdiff(self, argindex=1):
        if argindex != 1:
            raise sympy.ArgumentIndexError(self, argindex)
        return sympy.Heaviside(self.args[0], 0)

    def _eval_rewrite_as_Max(self, arg, **kwargs):
        return sympy.Max(0, arg)

    def _eval_evalf(self, prec):
        arg = self.args[0]._eval_evalf(prec)
        if arg is None:
            return None
        return sympy.Max(0, arg)._eval_evalf(prec)

    def _eval_is_extended_real(self):
        return self.args[0].is_extended_real

    def _eval_is_extended_nonnegative(self):
        if self.args[0].is_extended_real:
            return True
        return None

    def _latex(self, printer, exp=None):
        base = rf"\operatorname{{relu}}\left({printer._print(self.args[0])}\right)"
        return rf"{base}^{{{exp}}}" if exp else base


def softplus(arg):
    """softplus(x) = ln(1 + e^x)."""
    return sympy.log(1 + sympy.exp(arg))
