"""``python -m linkaudit`` runs the command line."""

from .cli import main

main()
