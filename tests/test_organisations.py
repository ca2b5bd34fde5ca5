"""Operator and partner names (ccus_kg.identity.organisations)."""

from __future__ import annotations

import pytest

from ccus_kg.identity.organisations import OrganisationIndex, is_placeholder, parse_name, split_organisations


@pytest.mark.parametrize("raw, parts", [
    ("Green Plains Superior, Summit Carbon Solutions", ["Green Plains Superior", "Summit Carbon Solutions"]),
    ("Shaanxi Coal Group Yulin Chemical Co., Ltd", ["Shaanxi Coal Group Yulin Chemical Co., Ltd"]),
    ("One Carbon Partnership (Cardinal Ethanol, Vault 44.01 joint venture)", ["One Carbon Partnership (Cardinal Ethanol, Vault 44.01 joint venture)"]),
    ("Santos (43.4%), SK E&S, JERA", ["Santos (43.4%)", "SK E&S", "JERA"]),
    ("Storegga, Carbon Engineering (Oxy), Universities of Cambridge and Edinburgh.",
     ["Storegga", "Carbon Engineering (Oxy)", "Universities of Cambridge and Edinburgh"]),
    ("Acme, Inc., Beta GmbH", ["Acme, Inc.", "Beta GmbH"]),
    ("A, B, and C", ["A", "B", "C"]),
    ("", []),
])
def test_split_only_real_lists(raw, parts):
    assert split_organisations(raw) == parts


def test_remarks_and_acronyms():
    p = parse_name("Energie Beheer Nederland (EBN)")
    assert (p.name, p.acronym) == ("Energie Beheer Nederland", "EBN")
    p = parse_name("TotalEnergies (T&S)")
    assert (p.name, p.remark, p.acronym) == ("TotalEnergies", "T&S", None)
    assert is_placeholder("unknown company") and not is_placeholder("Shell")


def test_an_acronym_is_one_organisation_with_its_full_name_whatever_the_order():
    for order in (["EBN", "Energie Beheer Nederland (EBN)"], ["Energie Beheer Nederland (EBN)", "EBN"]):
        index = OrganisationIndex(order)
        assert index.get("EBN") is index.get("Energie Beheer Nederland (EBN)")
        assert index.get("EBN").label == "Energie Beheer Nederland"
    index = OrganisationIndex(["Shell", "Shell (50%)", "SHELL"])
    assert len(index.organisations()) == 1
