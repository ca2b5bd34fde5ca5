"""The interactive lineage page (ccus_kg.lineage.html), opened in a real headless Chromium.

Chromium is Debian's ``chromium`` package (``.ci/run`` installs it with apt-get where it can);
the browser test skips only when no Chromium is installed, and says so.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from helpers import invoke

from ccus_kg.lineage import from_graph
from ccus_kg.lineage.html import page
from ccus_kg.lineage.layout import time_layout

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _embedded(text: str) -> dict:
    raw = re.search(r'<script type="application/json" id="lineage-data">(.*?)</script>', text, re.S).group(1)
    return json.loads(raw.replace("<\\/", "</"))


def test_page_is_self_contained(seed_graph):
    text = page(from_graph(seed_graph), lang="zh")
    assert "<script src" not in text and "<link" not in text
    assert not re.search(r'(src|href)="https?://', text)
    assert "vis.Network" in text and len(text) > 300_000  # vis-network inlined
    data = _embedded(text)
    assert len(data["nodes"]) == 7
    miit = next(n for n in data["nodes"] if n["id"] == "cn-miit-industrial-plan-2022")
    assert miit["url"].startswith("https://www.miit.gov.cn/") and "IRI: https://w3id.org/ccus-kg/id/policy/" in miit["title"]
    assert all(e["dashes"] for e in data["edges"])  # every seed link is inferred: drawn dashed
    assert any("evidence:" in e["title"] for e in data["edges"])


def test_page_is_deterministic(seed_graph):
    g = from_graph(seed_graph)
    assert page(g, lang="en") == page(g, lang="en")


@pytest.mark.skipif(_chromium() is None, reason="Chromium is not installed (Debian: apt-get install chromium; "
                                                 ".ci/run installs it where apt-get works): the browser test cannot run here")
def test_page_opens_in_headless_chromium(seed_ttl, seed_graph, tmp_path):
    html = tmp_path / "lineage.html"
    result = invoke("lineage", "-g", seed_ttl, "--lang", "zh", "-o", html)
    assert result.exit_code == 0, result.output
    expected = len(time_layout(from_graph(seed_graph), lang="zh").nodes)
    common = [_chromium(), *FLAGS, "--virtual-time-budget=10000", "--window-size=1400,900"]
    dom = subprocess.run([*common, f"--user-data-dir={tmp_path / 'profile-dom'}", "--dump-dom", html.as_uri()],
                         capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert 'data-ready="true"' in dom.stdout, "the page's script did not run to the end"
    count = re.search(r'id="node-count">(\d+)<', dom.stdout)
    assert count is not None and int(count.group(1)) == expected == 7
    shot = tmp_path / "lineage.png"
    run = subprocess.run([*common, f"--user-data-dir={tmp_path / 'profile-shot'}", f"--screenshot={shot}", html.as_uri()],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
