"""``python -m casetracker`` runs the command line."""

from casetracker.cli.main import main

main()
