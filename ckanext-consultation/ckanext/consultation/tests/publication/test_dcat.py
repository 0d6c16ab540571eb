"""A consultation dataset comes out as DCAT-AP 3 that conforms to the official shapes."""

from __future__ import annotations

import pyshacl
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS

from ckanext.grandest.tests.shacl.test_shacl import SHAPES, SHAPES_DIR


def test_consultation_dataset_conforms_to_dcat_ap_3(app, published):
    response = app.get("/dataset/avis-velo.ttl")
    assert response.status_code == 200
    graph = Graph().parse(data=response.body, format="turtle")
    for name in SHAPES:
        shapes = Graph().parse(SHAPES_DIR / name, format="turtle")
        conforms, _, report = pyshacl.validate(graph, shacl_graph=shapes, inference="none",
                                               allow_warnings=True)
        assert conforms, report
    dataset = next(graph.subjects(DCAT.distribution, None))
    assert len(list(graph.objects(dataset, DCAT.distribution))) == 10
    assert (dataset, DCAT.theme, URIRef(
        "http://publications.europa.eu/resource/authority/data-theme/SOCI")) in graph
    assert (dataset, DCTERMS.spatial, URIRef("http://id.insee.fr/geo/region/44")) in graph
    assert list(graph.objects(dataset, DCTERMS.temporal))
