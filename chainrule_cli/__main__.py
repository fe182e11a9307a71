"""`python -m chainrule_cli` runs the command line."""

from chainrule_cli.cli import run

if __name__ == "__main__":
    run()
