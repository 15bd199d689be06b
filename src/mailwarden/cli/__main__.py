"""Run the command line with ``python -m mailwarden.cli``."""

from mailwarden.cli import main

main()
