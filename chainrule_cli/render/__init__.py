"""Renderings of the calculus data classes: sentences now; terminal, LaTeX, JSON next."""
