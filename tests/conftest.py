"""Shared fixtures: the seeds built once per session, and the real corpus (when present)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The bundled seed input folder."""
    return SEEDS


@pytest.fixture(scope="session")
def seed_build():
    """:class:`ccus_kg.build.BuildResult` of the seeds (built once, validated)."""
    from ccus_kg.build import build

    return build([SEEDS])


@pytest.fixture(scope="session")
def seed_graph(seed_build):
    """The seeds' :class:`ccus_kg.rdf.graph.KnowledgeGraph`."""
    return seed_build.graph


@pytest.fixture(scope="session")
def seed_ttl(tmp_path_factory, seed_graph) -> Path:
    """The seeds' graph written as Turtle to a temporary file."""
    path = tmp_path_factory.mktemp("seed") / "ccus.ttl"
    seed_graph.write(path)
    return path


@pytest.fixture(scope="session")
def corpus_build():
    """:class:`BuildResult` of the real corpus (skips, or fails under CI=true, when it is missing)."""
    from corpus import corpus_dir

    from ccus_kg.build import build

    return build([corpus_dir()])


@pytest.fixture(scope="session")
def corpus_ttl(tmp_path_factory, corpus_build) -> Path:
    """The corpus graph written as Turtle to a temporary file."""
    path = tmp_path_factory.mktemp("corpus") / "corpus.ttl"
    corpus_build.graph.write(path)
    return path


@pytest.fixture(scope="session")
def full_corpus_build():
    """:class:`BuildResult` of the three corpus folders: policies, facilities, country profiles."""
    from corpus import corpus_dir, corpus_folder

    from ccus_kg.build import build

    return build([corpus_dir(), corpus_folder("facilities"), corpus_folder("countries")])
@pytest.fixture
def oxigraph_server(tmp_path):
    """A real Oxigraph server on a free loopback port with a temporary store; stopped after the test."""
    from stores import OxigraphServer

    server = OxigraphServer(tmp_path / "oxigraph-store").start()
    yield server
    server.kill()
