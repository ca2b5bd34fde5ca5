"""Vocabularies used by ccus-kg, as closed sets of terms.

Each vocabulary lists the terms ccus-kg uses; asking for any other name raises
:class:`AttributeError` instead of minting a wrong IRI (the habit of rdflib's
``DefinedNamespace`` with ``_fail = True``).  ``CCUS`` is checked against
``ontology/ccus.ttl`` by ``tests/test_ontology.py``: every term here is declared there.

Standard vocabularies (namespace IRIs):
ELI ``http://data.europa.eu/eli/ontology#``, DCTERMS ``http://purl.org/dc/terms/``,
SKOS ``http://www.w3.org/2004/02/skos/core#``, ORG ``http://www.w3.org/ns/org#``,
PROV ``http://www.w3.org/ns/prov#``, SCHEMA ``https://schema.org/``,
OWL-Time ``http://www.w3.org/2006/time#``, SHACL ``http://www.w3.org/ns/shacl#``.
"""

from __future__ import annotations

from pyoxigraph import NamedNode

from ccus_kg.identity import iris

__all__ = [
    "Vocabulary", "CCUS", "ELI", "DCTERMS", "SKOS", "ORG", "PROV", "SCHEMA", "RDF", "RDFS",
    "XSD", "OWL", "SH", "WD", "PREFIXES", "DCMITYPE", "EU_LANGUAGE", "GEO", "UNIT",
]


class Vocabulary:
    """A closed namespace: ``V.term`` or ``V["term"]`` gives a :class:`pyoxigraph.NamedNode`.

    Raises :class:`AttributeError` (or :class:`KeyError` for ``[]``) for a name not listed.
    """

    def __init__(self, prefix: str, base: str, terms: str):
        self._prefix = prefix
        self._base = base
        self._terms = {t: NamedNode(base + t) for t in terms.split()}

    def __getattr__(self, name: str) -> NamedNode:
        try:
            return self.__dict__["_terms"][name]
        except KeyError:
            raise AttributeError(f"{self._prefix}:{name} is not a term ccus-kg declares for {self._base}") from None

    def __getitem__(self, name: str) -> NamedNode:
        try:
            return self._terms[name]
        except KeyError:
            raise KeyError(f"{self._prefix}:{name} is not a term ccus-kg declares for {self._base}") from None

    def __contains__(self, name: str) -> bool:
        return name in self._terms

    @property
    def base(self) -> str:
        """The namespace IRI."""
        return self._base

    @property
    def terms(self) -> dict[str, NamedNode]:
        """Every listed term, by local name."""
        return dict(self._terms)


CCUS = Vocabulary("ccus", iris.ONTOLOGY, """
    Policy IssuingAgency Jurisdiction PolicyCluster TimelineEvent TimelineCompilation TimelineNode
    DimensionAssessment DataIssue SourceRecord LegalWeight PolicyStatus PolicyCategory ReviewStatus
    AnalysisDimension EventKind
    category status reviewStatus legalWeightText statusText categoryText countryText agencyText
    reviewStatusText year lastAuditDate reviewer hasAssessment dimension score evidence citation
    auditNote impact economicImpact environmentalImpact technicalImpact regulatoryProvision
    co2Definition crossBorderRules financialAssurance liabilityPeriod liabilityTransfer
    permittingLeadTime poreSpaceRights sector relatedFacility interpretation inCorpus hasDataIssue
    issueCode severity issueField issueLine rawValue agencyJurisdiction inAuthorityFile jurisdictionEvidence
    placeText dateText dateRemark scale eventImpact organizerText listedIn nodeDate nodeKind
    confidence analysisTime declaredNodeCount incomplete eventKind filePath language inForceValue
    currentConsolidatedVersion effectiveApplicationWindow sourcePublicationDate
    NamedWork LineageLink inferred linkRule linkEvidence linkConfidence
    recordLine
    Facility Hub CountryProfile FacilityType FacilitySector FacilityStatus FacilityPhase CarbonFate
    LocationPrecision Region relatedPolicy facilityType facilitySector facilityStatus facilityPhase
    fateOfCarbon operator partner partOfHub region locationPrecision announcedCapacity
    estimatedCapacity hasProfile profileOf captureTechnology storageType investmentScale
    facilityTypeText facilitySectorText facilityStatusText facilityPhaseText fateOfCarbonText
    regionText precisionText partnersText organisationText capacityText maturityX maturityY
    ExtraField extraField fieldPath fieldValue notInScheme
""")

ELI = Vocabulary("eli", "http://data.europa.eu/eli/ontology#", """
    LegalResource jurisdiction passed_by type_document date_publication in_force
    InForce-inForce InForce-notInForce InForce-partiallyInForce
    consolidates consolidated_by cites cited_by implements implemented_by based_on basis_for
""")
DCTERMS = Vocabulary("dcterms", "http://purl.org/dc/terms/", """
    identifier title description abstract replaces isReplacedBy source subject spatial isPartOf
    language Location hasPart created
""")
DCMITYPE = Vocabulary("dcmitype", "http://purl.org/dc/dcmitype/", "Collection")
#: The EU Publications Office authority table of languages (``dcterms:language`` objects, e.g. ``…/ENG``).
EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
SKOS = Vocabulary("skos", "http://www.w3.org/2004/02/skos/core#", """
    Concept ConceptScheme Collection prefLabel altLabel hiddenLabel notation broader narrower
    exactMatch inScheme topConceptOf hasTopConcept member definition
""")
ORG = Vocabulary("org", "http://www.w3.org/ns/org#", "Organization subOrganizationOf")
PROV = Vocabulary("prov", "http://www.w3.org/ns/prov#", "Entity Agent SoftwareAgent wasDerivedFrom wasAttributedTo generatedAtTime")
SCHEMA = Vocabulary("schema", "https://schema.org/", """
    Event WebPage Organization name startDate endDate location organizer about citation url description mentions
    QuantitativeValue value minValue maxValue unitCode unitText
""")
#: GeoSPARQL 1.1 (OGC 22-047r1), http://www.opengis.net/ont/geosparql#
GEO = Vocabulary("geo", "http://www.opengis.net/ont/geosparql#", "Feature Geometry hasGeometry hasBoundingBox asWKT wktLiteral")
#: QUDT units, http://qudt.org/vocab/unit/ (``MegaTONNE-PER-YR``: megatonne per year)
UNIT = Vocabulary("unit", "http://qudt.org/vocab/unit/", "MegaTONNE-PER-YR")
RDF = Vocabulary("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "type Statement subject predicate object")
RDFS = Vocabulary("rdfs", "http://www.w3.org/2000/01/rdf-schema#", "label comment seeAlso")
XSD = Vocabulary("xsd", "http://www.w3.org/2001/XMLSchema#", """
    string boolean integer decimal date dateTime gYear gYearMonth anyURI
""")
OWL = Vocabulary("owl", "http://www.w3.org/2002/07/owl#", "Class ObjectProperty DatatypeProperty versionInfo sameAs")
#: W3C SHACL (https://www.w3.org/TR/shacl/): the shapes and validation-report terms ccus-kg reads and writes.
SH = Vocabulary("sh", "http://www.w3.org/ns/shacl#", """
    NodeShape PropertyShape SPARQLConstraint SPARQLTarget ValidationReport ValidationResult
    Violation Warning Info conforms result focusNode resultPath value resultMessage resultSeverity
    sourceShape sourceConstraint sourceConstraintComponent SPARQLConstraintComponent
    sparql select prefixes declare prefix namespace message severity deactivated path property
    target targetClass targetNode targetSubjectsOf targetObjectsOf name description order group defaultValue
    class datatype nodeKind minCount maxCount minInclusive maxInclusive minExclusive maxExclusive minLength
    maxLength pattern flags languageIn uniqueLang in hasValue or and not node qualifiedValueShape
    inversePath alternativePath zeroOrMorePath oneOrMorePath zeroOrOnePath
    IRI BlankNode Literal BlankNodeOrIRI BlankNodeOrLiteral IRIOrLiteral
""")
#: Wikidata entities (``skos:exactMatch`` targets).
WD = "http://www.wikidata.org/entity/"

#: Prefixes written into Turtle output and offered to SPARQL queries.
PREFIXES: dict[str, str] = {
    "ccus": iris.ONTOLOGY,
    "eli": ELI.base,
    "dcterms": DCTERMS.base,
    "dcmitype": "http://purl.org/dc/dcmitype/",
    "skos": SKOS.base,
    "org": ORG.base,
    "prov": PROV.base,
    "schema": SCHEMA.base,
    "rdf": RDF.base,
    "rdfs": RDFS.base,
    "xsd": XSD.base,
    "owl": OWL.base,
    "time": "http://www.w3.org/2006/time#",
    "wd": WD,
    "policy": iris.BASE + "policy/",
    "jurisdiction": iris.BASE + "jurisdiction/",
    "agency": iris.BASE + "agency/",
    "concept": iris.BASE + "concept/",
    "geo": GEO.base,
    "unit": UNIT.base,
    "facility": iris.BASE + "facility/",
}
