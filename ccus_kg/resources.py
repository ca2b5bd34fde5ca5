"""The one place that finds the packaged ``ontology/`` and ``queries/`` folders.

In a wheel they are installed as ``ccus_kg/_data/ontology`` and ``ccus_kg/_data/queries``
(``[tool.hatch.build.targets.wheel.force-include]`` in ``pyproject.toml``); in a source
checkout or an editable install they are the top-level folders beside ``ccus_kg/``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from ccus_kg.errors import ResourceNotFound

__all__ = ["data_dir", "ontology_path", "queries_dir"]

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """Return the folder ``name`` (``"ontology"`` or ``"queries"``).

    Raises :class:`ResourceNotFound` when neither the installed nor the source location exists.
    """
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise ResourceNotFound(f"packaged folder {name!r} not found beside {_PACKAGE}")


def ontology_path(filename: str) -> Path:
    """Return the path of ``ontology/<filename>``; raises :class:`ResourceNotFound` if missing."""
    path = data_dir("ontology") / filename
    if not path.is_file():
        raise ResourceNotFound(f"ontology file {filename!r} not found in {path.parent}")
    return path


def queries_dir() -> Path:
    """Return the folder of the packaged SPARQL queries (``*.rq``)."""
    return data_dir("queries")
