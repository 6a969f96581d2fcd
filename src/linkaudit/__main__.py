"""``python -m linkaudit`` runs the command line."""

from .cli import run

run()
