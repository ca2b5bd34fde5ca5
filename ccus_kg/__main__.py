"""``python -m ccus_kg`` runs the ``ccus-kg`` command line."""

from .cli import run

run()
