"""Lineage pictures (ccus_kg.lineage.layout, .draw, .fonts): Chinese renders, nothing overlaps or is cut, SVG is stable."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import warnings

import pytest

from ccus_kg.lineage import from_graph, write
from ccus_kg.lineage.draw import _render
from ccus_kg.lineage.fonts import cjk_font_path, picture_style
from ccus_kg.lineage.layout import _text_width, short_title, time_layout


@pytest.fixture(scope="module")
def seeds(seed_graph):
    return from_graph(seed_graph)


def test_the_cjk_font_installs_with_the_project():
    assert cjk_font_path() is not None and cjk_font_path().stat().st_size > 1_000_000


@pytest.mark.parametrize("fmt", ["png", "svg"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_glyph_is_missing(seeds, tmp_path, caplog, fmt, lang):
    """Drawing the seeds (Chinese titles) warns of no glyph missing from any font, nor of a font not found."""
    caplog.set_level(logging.WARNING)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        write(seeds, tmp_path / f"seeds.{fmt}", lang=lang)
    messages = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
    assert [m for m in messages if "missing from font" in m or "findfont" in m] == []
    assert (tmp_path / f"seeds.{fmt}").stat().st_size > 1000


def test_svg_keeps_text_as_text(seeds, tmp_path):
    svg = write(seeds, tmp_path / "s.svg", lang="zh").read_text(encoding="utf-8")
    assert "<text" in svg and "中国工信部工业领域碳达峰" in svg and "江苏省工业领域及重点行业" in svg
    assert "Noto Sans CJK SC" in svg


def test_svg_is_byte_identical_between_runs(seed_ttl, tmp_path):
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"l-{seed}.svg"
        proc = subprocess.run([sys.executable, "-m", "ccus_kg", "lineage", "-g", str(seed_ttl), "--lang", "zh", "-o", str(out)],
                              capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONHASHSEED": seed})
        assert proc.returncode == 0, proc.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert b"<dc:date>" not in outputs[0]


def test_layout_places_every_label_inside_and_apart(seeds):
    for lang in ("zh", "en"):
        layout = time_layout(seeds, lang=lang, lanes="level")
        assert len(layout.nodes) == seeds.number_of_nodes()
        boxes = []
        for n in layout.nodes:
            x, y = layout.pos[n]
            right = x + 0.1 + max(_text_width(t) for t in layout.labels[n])
            assert 0 < x and right < layout.width and 0 < y < layout.height
            boxes.append((x - 0.08, right, y))
        for i, (a0, a1, ay) in enumerate(boxes):  # same row: the intervals do not meet
            for b0, b1, by in boxes[i + 1:]:
                assert abs(ay - by) > 0.01 or a1 <= b0 or b1 <= a0


def test_lanes_are_levels_broadest_on_top(seeds):
    layout = time_layout(seeds, lang="zh", lanes="level")
    # the work only mentioned in an item's text has no jurisdiction: its own lane, last
    assert [name for name, *_ in layout.lanes] == ["国家", "省级及以下", "法域不明"]
    miit, js = layout.pos["cn-miit-industrial-plan-2022"], layout.pos["cn-js-industrial-decarb-2022"]
    assert miit[1] > js[1] and miit[0] < js[0]  # national above, and earlier (2022-08 before 2022-10)


def test_legend_covers_nothing(seeds):
    layout = time_layout(seeds, lang="zh")
    with picture_style():
        fig = _render(seeds, layout, "zh")
        fig.canvas.draw()
        legend = fig.axes[0].get_legend().get_window_extent()
        lanes_top = max(top for _n, _b, top in layout.lanes) * fig.dpi
        assert legend.y0 > lanes_top
        assert legend.x1 <= fig.bbox.x1 and legend.y1 <= fig.bbox.y1
        import matplotlib.pyplot as plt

        plt.close(fig)


def test_short_titles():
    assert short_title({"label_zh": "江苏省工业绿色低碳转型行动方案 (CCUS 专项)"}, "zh", "x") == ["江苏省工业绿色低碳转型行", "动方案"]
    assert short_title({"label_en": "China MIIT Action Plan for Industrial Carbon Peaking", "label_zh": "中"}, "en", "x") == [
        "China MIIT Action Plan for", "Industrial Carbon Peaking"]
    assert short_title({}, "en", "some-id") == ["some-id"]
    long = short_title({"label_en": "word " * 40}, "en", "x")
    assert len(long) == 2 and long[1].endswith("…")


def test_family_lanes_hide_singletons_and_say_so(seeds):
    layout = time_layout(seeds, lang="en", lanes="family")
    assert [name.split()[0] for name, *_ in layout.lanes] == ["F1"]
    assert layout.hidden["works"] == 2 and layout.hidden["singletons"] == 0
