"""Run the command line with ``python -m mailwarden``."""

from mailwarden.cli import main

main()
