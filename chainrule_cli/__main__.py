"""`python -m chainrule_cli` runs the command line."""

from chainrule_cli.cli import main

if __name__ == "__main__":
    main()
