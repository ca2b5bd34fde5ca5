"""Country bounding boxes, from the data file ``ontology/country-bounding-boxes.csv``.

Natural Earth 1:50m Admin 0 map subunits (public domain): one box per disjoint part of a country
(mainland, Alaska, Hawaii, Corsica …), keyed by ISO 3166-1 alpha-2 code; the file's header names the
source, its licence and the command that made it.  No box crosses the antimeridian (Natural Earth
splits its polygons at 180°, so Russia or Fiji have a part on each side).

Shapes: :class:`BoundingBox` (degrees, WGS 84 / CRS84); :func:`country_bounding_boxes` →
``{"US": (BoundingBox, …), …}``.  The graph carries them as ``geo:hasBoundingBox`` (GeoSPARQL 1.1,
http://www.opengis.net/ont/geosparql#hasBoundingBox) of the country jurisdiction node, read by the
SHACL rule ``shapes:FacilityOutsideCountry`` (ontology/shapes.ttl).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ccus_kg.errors import AuthorityFileError
from ccus_kg.resources import ontology_path

__all__ = ["BoundingBox", "country_bounding_boxes", "read_bounding_boxes", "DATA_FILE"]

#: the data file under ``ontology/``
DATA_FILE = "country-bounding-boxes.csv"
_COLUMNS = ["iso_a2", "part", "min_lon", "min_lat", "max_lon", "max_lat"]


@dataclass(frozen=True, slots=True)
class BoundingBox:
    """A box in degrees (longitude -180…180, latitude -90…90, min ≤ max) of ``part`` of a country."""

    part: str
    min_lon: str
    min_lat: str
    max_lon: str
    max_lat: str

    def wkt(self) -> str:
        """The box as a closed WKT ``POLYGON`` ring, longitude first (GeoSPARQL 1.1 §8.5.1, CRS84),
        counter-clockwise from the south-west corner: ``POLYGON((minlon minlat, maxlon minlat, …))``."""
        x0, y0, x1, y1 = self.min_lon, self.min_lat, self.max_lon, self.max_lat
        return f"POLYGON(({x0} {y0}, {x1} {y0}, {x1} {y1}, {x0} {y1}, {x0} {y0}))"


@cache
def country_bounding_boxes() -> dict[str, tuple[BoundingBox, ...]]:
    """The boxes of ``ontology/country-bounding-boxes.csv`` (:func:`read_bounding_boxes`), read once."""
    return read_bounding_boxes(ontology_path(DATA_FILE))


def read_bounding_boxes(path: Path) -> dict[str, tuple[BoundingBox, ...]]:
    """ISO 3166-1 alpha-2 code → its boxes, in file order, from the CSV file ``path`` (``#`` lines are comments).

    Raises :class:`AuthorityFileError` naming the file and line when a row is not a two-letter code,
    a part name and four decimal degrees in range with min ≤ max, or the header is not ``_COLUMNS``.
    """
    boxes: dict[str, list[BoundingBox]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [(n, line) for n, line in enumerate(handle, 1) if not line.startswith("#")]
    rows = csv.reader(line for _n, line in lines)
    header = next(rows, None)
    if header != _COLUMNS:
        raise AuthorityFileError(f"{path}: the header must be {','.join(_COLUMNS)}, not {header}")
    for (number, _line), row in zip(lines[1:], rows, strict=True):
        where = f"{path}:{number}"
        if len(row) != 6 or len(row[0]) != 2 or not row[0].isupper():
            raise AuthorityFileError(f"{where}: expected ISO 3166-1 alpha-2 code, part, min_lon, min_lat, max_lon, max_lat; got {row}")
        try:
            x0, y0, x1, y1 = (float(v) for v in row[2:])
        except ValueError:
            raise AuthorityFileError(f"{where}: the four box values must be decimal degrees; got {row[2:]}") from None
        if not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90):
            raise AuthorityFileError(f"{where}: expected -180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90; got {row[2:]}")
        boxes.setdefault(row[0], []).append(BoundingBox(row[1], *row[2:]))
    return {code: tuple(found) for code, found in boxes.items()}
