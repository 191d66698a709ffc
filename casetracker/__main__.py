"""``python -m casetracker`` runs the command line."""

from casetracker.cli import main

main()
