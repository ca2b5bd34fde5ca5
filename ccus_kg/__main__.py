"""``python -m ccus_kg`` runs the ``ccus-kg`` command line."""

from ccus_kg.cli import run

run()
