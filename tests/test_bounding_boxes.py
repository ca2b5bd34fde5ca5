"""ontology/country-bounding-boxes.csv and its reader: the packaged file, and broken files."""

import pytest

from ccus_kg.errors import AuthorityFileError
from ccus_kg.identity.bounding_boxes import country_bounding_boxes, read_bounding_boxes

HEADER = "# a comment\niso_a2,part,min_lon,min_lat,max_lon,max_lat\n"


def test_packaged_file_has_every_part_of_a_country_in_range():
    boxes = country_bounding_boxes()
    assert len(boxes) > 200 and {"CN", "US", "NO", "FR"} <= boxes.keys()
    assert len(boxes["US"]) >= 3  # mainland, Alaska, Hawaii: one box each
    for code, parts in boxes.items():
        for box in parts:
            x0, y0, x1, y1 = map(float, (box.min_lon, box.min_lat, box.max_lon, box.max_lat))
            assert -180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90, (code, box)
    cn = boxes["CN"][0]
    assert cn.wkt() == (f"POLYGON(({cn.min_lon} {cn.min_lat}, {cn.max_lon} {cn.min_lat}, {cn.max_lon} {cn.max_lat}, "
                        f"{cn.min_lon} {cn.max_lat}, {cn.min_lon} {cn.min_lat}))")


@pytest.mark.parametrize(("row", "says"), [
    ("usa,mainland,-125,24,-66,49", "expected ISO 3166-1 alpha-2 code"),
    ("US,mainland,-125,24,-66", "expected ISO 3166-1 alpha-2 code"),
    ("US,mainland,west,24,-66,49", "must be decimal degrees"),
    ("US,mainland,-66,24,-125,49", "min_lon <= max_lon"),
    ("US,mainland,-125,24,-66,95", "min_lat <= max_lat <= 90"),
])
def test_a_broken_row_names_the_file_and_line(tmp_path, row, says):
    path = tmp_path / "boxes.csv"
    path.write_text(HEADER + "FR,mainland,-5,42,8,51\n" + row + "\n", encoding="utf-8")
    with pytest.raises(AuthorityFileError) as raised:
        read_bounding_boxes(path)
    assert f"{path}:4:" in str(raised.value) and says in str(raised.value)


def test_a_wrong_header_is_refused(tmp_path):
    path = tmp_path / "boxes.csv"
    path.write_text("code,w,s,e,n\nFR,-5,42,8,51\n", encoding="utf-8")
    with pytest.raises(AuthorityFileError, match="the header must be iso_a2,part"):
        read_bounding_boxes(path)
