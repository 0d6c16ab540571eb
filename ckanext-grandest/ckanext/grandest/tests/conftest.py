from __future__ import annotations

import pytest
from ckan.tests import factories

REGIONAL = {
    "theme": ["ENVI", "TRAN"],
    "territorial_coverage": ["commune:67482", "departement:68"],
    "bbox": "7.6,48.4,7.9,48.7",
    "frequency": "ANNUAL",
    "temporal_start": "2020-01-01",
    "temporal_end": "2021-12-31",
    "contact": [{"name": "Service SIG", "email": "sig@strasbourg.eu"}],
    "conforms_to": ["https://schema.data.gouv.fr/etalab/schema-irve-statique/"],
    "issued": "2019-05-01",
    "modified": "2024-02-03",
    "identifier": "ems-qualite-air",
    "license_id": "odc-odbl",
    "resources": [
        {"url": "https://data.strasbourg.eu/air.csv", "format": "CSV", "name": "Mesures (CSV)"},
        {"url": "https://data.strasbourg.eu/air.geojson", "format": "GeoJSON", "name": "Stations"},
    ],
}


@pytest.fixture
def epci(clean_db, clean_index):
    return factories.Organization(
        name="eurometropole-de-strasbourg", title="Eurométropole de Strasbourg",
        body_type="epci", siren="246700488", territory="epci:246700488",
    )


@pytest.fixture
def regional_dataset(epci):
    return factories.Dataset(
        name="qualite-air-strasbourg", title="Qualité de l'air à Strasbourg",
        notes="Mesures horaires.", owner_org=epci["id"], **REGIONAL,
    )
