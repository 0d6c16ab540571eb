"""The portal's DCAT output conforms to the official DCAT-AP 3.0.1 SHACL shapes."""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from rdflib import Graph

from ckanext.grandest import demo

SHAPES_DIR = Path(__file__).resolve().parents[5].parent / "shared" / "corpus" / "shacl"
# The official DCAT-AP 3.0.1 shapes. The companion "ranges" file is not used: on its own
# it points to property shapes it does not define, and merged with this one pyshacl
# rejects the shapes graph as malformed.
SHAPES = ("dcat-ap-3.0.1_dcat-ap-SHACL.ttl",)


@pytest.fixture(scope="module")
def shapes() -> list[Graph]:
    return [Graph().parse(SHAPES_DIR / name, format="turtle") for name in SHAPES]


@pytest.fixture
def demo_catalogue(clean_db, clean_index):
    demo.seed()
    return call_action("package_list")


def _violations(data: str, shapes: list[Graph]) -> str:
    graph = Graph().parse(data=data, format="turtle")
    reports = []
    for shape in shapes:
        conforms, _, report = pyshacl.validate(
            graph, shacl_graph=shape, inference="none", allow_warnings=True
        )
        if not conforms:
            reports.append(report)
    return "\n".join(reports)


def test_catalogue_conforms(app, demo_catalogue, shapes):
    response = app.get("/catalog.ttl")
    assert response.status_code == 200
    assert "dcat:Catalog" in response.body
    assert _violations(response.body, shapes) == ""


def test_each_dataset_conforms(app, demo_catalogue, shapes):
    assert len(demo_catalogue) >= 10
    for name in demo_catalogue:
        response = app.get(f"/dataset/{name}.ttl")
        assert response.status_code == 200
        assert _violations(response.body, shapes) == "", name


@pytest.mark.parametrize("digest", ["9e107d9d372bb6826bd81d3542a419d6" * 2, "not-hex", ""])
def test_uploaded_file_metadata_conforms(app, regional_dataset, shapes, digest):
    """Uploads carry a media type and often a digest: both must stay valid DCAT-AP."""
    call_action("resource_create", {"user": factories.Sysadmin()["name"]},
                package_id=regional_dataset["id"], url="https://x.fr/a.csv", format="CSV",
                mimetype="text/csv", hash=digest)
    body = app.get(f"/dataset/{regional_dataset['name']}.ttl").body
    assert "https://www.iana.org/assignments/media-types/text/csv" in body
    assert ("checksumAlgorithm_sha256" in body) == (digest[:1] == "9")
    assert _violations(body, shapes) == ""


def test_regional_dataset_conforms(app, regional_dataset, shapes):
    response = app.get(f"/dataset/{regional_dataset['name']}.ttl")
    assert _violations(response.body, shapes) == ""
