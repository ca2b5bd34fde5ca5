"""Country regulatory profiles (ccus_kg.rdf.countries) on the real corpus, and the regulatory comparison."""

from __future__ import annotations


def test_profiles_hang_on_the_same_jurisdiction_nodes_as_policies(full_corpus_build):
    g = full_corpus_build.graph
    assert full_corpus_build.counts["profiles"] == 66
    rows = {r["code"].value: r["x"].value for r in g.query(
        "SELECT ?code ?x WHERE { ?j ccus:hasProfile ?p ; skos:notation ?code . ?p ccus:profileOf ?j ; ccus:maturityX ?x }")}
    assert rows["CA"] == "36.695" and rows["US"] == "40.128"
    # the profile's jurisdiction is the node canadian policies use
    assert bool(g.query("ASK { ?pol a ccus:Policy ; eli:jurisdiction ?j . ?j ccus:hasProfile ?p ; skos:notation 'CA' }"))
    values = list(g.query("SELECT ?v WHERE { ?j skos:notation 'CA' ; ccus:hasProfile ?p . ?p ccus:poreSpaceRights ?v }"))
    assert sorted(v["v"].language for v in values) == ["en", "zh"]
    codes = [p.code for p in full_corpus_build.problems if p.file and "countries" in p.file and p.severity == "warning"]
    assert codes.count("duplicate-profile") == 1 and "unresolved-jurisdiction" in codes   # KR twice; "Other"


def test_regulatory_differences_are_reported_per_policy_key_and_language(full_corpus_build):
    diffs = full_corpus_build.sections["regulatory_differences"]
    assert full_corpus_build.counts["regulatory_differences"] == len(diffs) > 0
    first = diffs[0]
    assert set(first) == {"policy", "jurisdiction", "profile", "profile_jurisdiction", "key", "lang", "policy_value", "profile_value"}
    assert all(d["policy_value"] != d["profile_value"] for d in diffs)
    assert {d["lang"] for d in diffs} <= {"en", "zh"}
