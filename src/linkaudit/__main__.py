"""``python -m linkaudit`` runs the command line."""

from .cli import main

main(prog_name="linkaudit")  # help and errors name the command as users type it
