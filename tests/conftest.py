"""Shared test helpers: real symbols, as the parser makes them."""

from __future__ import annotations

import os

import sympy
from hypothesis import settings

# CI is derandomized: the same examples every run, so a green run stays green; `dev` explores.
settings.register_profile("ci", max_examples=200, deadline=None, derandomize=True)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("release", max_examples=50_000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def R(name: str) -> sympy.Symbol:
    return sympy.Symbol(name, real=True)
