"""Regional facets and the territory hierarchy, computed at index time."""

from __future__ import annotations

import pytest
from ckan.lib import jobs
from ckan.tests import factories
from ckan.tests.helpers import call_action

FACETS = '["vocab_theme", "vocab_territory", "vocab_body_type", "license_id", "res_format", "vocab_frequency", "organization"]'  # noqa: E501


@pytest.fixture
def catalogue(clean_db, clean_index):
    region = factories.Organization(name="region", body_type="region", territory="region:44")
    city = factories.Organization(name="ville-de-strasbourg", body_type="commune")
    agency = factories.Organization(name="atmo", body_type="association")

    def dataset(name, org, coverage, **fields):
        return factories.Dataset(name=name, owner_org=org["id"],
                                 territorial_coverage=coverage, **fields)

    dataset("budget-region", region, ["region:44"], theme=["GOVE"], frequency="ANNUAL",
            resources=[{"url": "http://x/b.csv", "format": "CSV"}])
    dataset("lycees-bas-rhin", region, ["departement:67"], theme=["EDUC"], frequency="ANNUAL",
            license_id="odc-odbl")
    dataset("arbres-strasbourg", city, ["commune:67482"], theme=["ENVI"], frequency="ANNUAL",
            resources=[{"url": "http://x/a.geojson", "format": "GeoJSON"}])
    dataset("velos-ems", city, ["epci:246700488"], theme=["TRAN"], frequency="DAILY")
    dataset("air-mulhouse", agency, ["commune:68224"], theme=["ENVI", "HEAL"],
            frequency="HOURLY", resources=[{"url": "http://x/m.csv", "format": "CSV"}])
    dataset("sans-territoire", agency, [], theme=["ENVI"])


def _search(**params):
    result = call_action("package_search", rows=100, **{"facet.field": FACETS}, **params)
    names = sorted(d["name"] for d in result["results"])
    facets = {field: {i["name"]: (i["count"], i["display_name"]) for i in facet["items"]}
              for field, facet in result["search_facets"].items()}
    return names, facets


@pytest.mark.usefixtures("catalogue", "with_request_context")
def test_each_regional_facet_counts_with_french_labels():
    _, facets = _search()
    assert facets["vocab_theme"]["ENVI"] == (3, "Environnement")
    assert facets["vocab_theme"]["HEAL"][0] == 1
    assert facets["vocab_body_type"]["commune"] == (2, "Commune")
    assert facets["vocab_body_type"]["association"] == (2, "Association")
    assert facets["vocab_frequency"]["ANNUAL"][0] == 3
    assert facets["vocab_frequency"]["HOURLY"][0] == 1
    assert facets["license_id"]["lov2"][0] == 5
    assert facets["license_id"]["odc-odbl"][0] == 1
    assert facets["res_format"]["CSV"][0] == 2
    assert facets["res_format"]["GeoJSON"][0] == 1
    # A territory counts the datasets of every territory inside it.
    assert facets["vocab_territory"]["region:44"] == (5, "Grand Est (région, 44)")
    assert facets["vocab_territory"]["departement:67"] == (3, "Bas-Rhin (département, 67)")
    assert facets["vocab_territory"]["departement:68"][0] == 1
    assert facets["vocab_territory"]["commune:67482"][0] == 1


@pytest.mark.usefixtures("catalogue")
def test_filter_on_a_departement_finds_its_communes_and_epci():
    names, _ = _search(fq='vocab_territory:"departement:67"')
    assert names == ["arbres-strasbourg", "lycees-bas-rhin", "velos-ems"]


@pytest.mark.usefixtures("catalogue")
def test_filter_on_a_commune_finds_what_covers_its_epci_departement_and_region():
    names, _ = _search(fq='vocab_territory_area:"commune:67482"')
    assert names == ["arbres-strasbourg", "budget-region", "lycees-bas-rhin", "velos-ems"]
    names, _ = _search(fq='vocab_territory_area:"commune:68224"')   # Mulhouse
    assert names == ["air-mulhouse", "budget-region"]


@pytest.mark.usefixtures("catalogue")
def test_filters_combine_through_the_search_page(app):
    response = app.get("/dataset/", query_string={"vocab_theme": "ENVI",
                                                  "vocab_territory_area": "commune:67482"})
    assert response.status_code == 200
    assert "arbres-strasbourg" in response.body
    assert "air-mulhouse" not in response.body
    assert "Environnement" in response.body


@pytest.mark.usefixtures("catalogue", "clean_queues")
def test_organisation_type_change_reaches_the_index():
    sysadmin = factories.Sysadmin()
    call_action("organization_patch", {"user": sysadmin["name"]}, id="atmo",
                body_type="etablissement-public")
    jobs.Worker().work(burst=True)   # the re-index job the change enqueued
    _, facets = _search()
    assert facets["vocab_body_type"]["etablissement-public"][0] == 2
    assert "association" not in facets["vocab_body_type"]
