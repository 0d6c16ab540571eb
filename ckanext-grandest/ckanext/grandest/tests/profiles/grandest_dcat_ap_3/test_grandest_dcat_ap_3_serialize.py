"""Regional fields -> DCAT-AP 3: EU and INSEE URIs, typed and labelled."""

from __future__ import annotations

import pytest
from ckanext.dcat.processors import RDFSerializer
from ckanext.dcat.profiles import DCAT, DCT
from ckanext.dcat.utils import dataset_uri
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS

EU = "http://publications.europa.eu/resource/authority/"


@pytest.fixture
def graph(regional_dataset):
    serializer = RDFSerializer()
    serializer.graph_from_dataset(regional_dataset)
    return serializer.g, URIRef(dataset_uri(regional_dataset))


def test_themes_frequency_and_language_are_eu_concepts(graph):
    g, ref = graph
    assert set(g.objects(ref, DCAT.theme)) == {URIRef(EU + "data-theme/ENVI"),
                                               URIRef(EU + "data-theme/TRAN")}
    assert (URIRef(EU + "data-theme/ENVI"), SKOS.prefLabel,
            Literal("Environnement", lang="fr")) in g
    assert list(g.objects(ref, DCT.accrualPeriodicity)) == [URIRef(EU + "frequency/ANNUAL")]
    assert list(g.objects(ref, DCT.language)) == [URIRef(EU + "language/FRA")]


def test_coverage_is_insee_locations_and_a_bbox(graph):
    g, ref = graph
    spatial = set(g.objects(ref, DCT.spatial))
    commune = URIRef("http://id.insee.fr/geo/commune/67482")
    assert {commune, URIRef("http://id.insee.fr/geo/departement/68")} <= spatial
    assert (commune, RDF.type, DCT.Location) in g
    assert (commune, SKOS.prefLabel, Literal("Strasbourg", lang="fr")) in g
    bboxes = [str(b) for s in spatial for b in g.objects(s, DCAT.bbox)]
    assert bboxes == ["POLYGON((7.6 48.4, 7.9 48.4, 7.9 48.7, 7.6 48.7, 7.6 48.4))"]


def test_licence_and_format_of_each_distribution(graph):
    g, ref = graph
    distributions = list(g.objects(ref, DCAT.distribution))
    assert len(distributions) == 2
    odbl = URIRef("http://opendatacommons.org/licenses/odbl/1-0/")
    for distribution in distributions:
        assert list(g.objects(distribution, DCT.license)) == [odbl]
    assert (odbl, RDF.type, DCT.LicenseDocument) in g
    formats = {f for d in distributions for f in g.objects(d, DCT["format"])}
    assert formats == {URIRef(EU + "file-type/CSV"), URIRef(EU + "file-type/GEOJSON")}


def test_contact_point_is_a_vcard(graph):
    g, ref = graph
    (contact,) = g.objects(ref, DCAT.contactPoint)
    assert str(next(g.objects(contact, URIRef("http://www.w3.org/2006/vcard/ns#hasEmail")))) \
        == "mailto:sig@strasbourg.eu"
