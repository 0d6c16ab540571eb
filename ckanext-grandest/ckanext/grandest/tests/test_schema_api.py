"""Partners publish through the action API: invalid regional fields are refused in French."""

from __future__ import annotations

import pytest
from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action


@pytest.fixture
def publisher(epci):
    user = factories.UserWithToken()
    call_action("organization_member_create", id=epci["id"], username=user["name"],
                role="editor")
    return user


def _create(app, publisher, **fields):
    return app.post("/api/3/action/package_create", json=fields,
                    headers={"Authorization": publisher["token"]})


def test_invalid_coverage_is_a_409_in_french_and_nothing_is_saved(app, epci, publisher):
    response = _create(app, publisher, name="hors-region", title="Hors région",
                       notes="…", owner_org=epci["id"], territorial_coverage=["75056"])
    assert response.status_code == 409
    error = response.json["error"]
    assert error["__type"] == "Validation Error"
    assert error["territorial_coverage"] == [
        "« 75056 » est hors du Grand Est : la couverture territoriale doit être comprise "
        "dans la région Grand Est"
    ]
    assert model.Session.query(model.Package).filter_by(name="hors-region").count() == 0


def test_every_bad_field_is_named(app, epci, publisher):
    response = _create(
        app, publisher, name="plein-d-erreurs", title="Erreurs", notes="…", owner_org=epci["id"],
        territorial_coverage=["67999"], theme=["SPORT"], frequency="souvent", license_id="x",
        temporal_start="2021-01-01", temporal_end="2020-01-01",
        contact=[{"name": "SIG", "email": "sig@"}],
    )
    assert response.status_code == 409
    error = response.json["error"]
    assert error["territorial_coverage"] == ["Code INSEE inconnu : « 67999 »"]
    assert error["theme"] == ["Thème inconnu : « SPORT »"]
    assert error["frequency"] == ["Fréquence de mise à jour inconnue : « souvent »"]
    assert error["license_id"] == ["Licence inconnue : « x »"]
    assert error["temporal_end"] == ["La date de fin est antérieure à la date de début"]
    assert error["contact"] == [{"email": ["Adresse électronique mal formée : « sig@ »"]}]


def test_valid_dataset_is_created_with_defaults(app, epci, publisher):
    response = _create(app, publisher, name="velos", title="Vélos", notes="…",
                       owner_org=epci["id"], territorial_coverage="67482",
                       theme=["http://publications.europa.eu/resource/authority/data-theme/TRAN"])
    assert response.status_code == 200, response.json
    dataset = call_action("package_show", id="velos")
    assert dataset["territorial_coverage"] == ["commune:67482"]
    assert dataset["theme"] == ["TRAN"]
    assert dataset["license_id"] == "lov2"          # Licence Ouverte 2.0 by default
    assert dataset["license_title"] == "Licence Ouverte / Open Licence version 2.0"
    assert dataset["language"] == "fr"


def test_organisation_siren_is_checked(app):
    sysadmin = factories.SysadminWithToken()
    response = app.post("/api/3/action/organization_create",
                        json={"name": "ville-x", "title": "Ville X", "body_type": "commune",
                              "siren": "200052265"},
                        headers={"Authorization": sysadmin["token"]})
    assert response.status_code == 409
    assert response.json["error"]["siren"] == [
        "SIREN invalide (clé de contrôle erronée) : « 200052265 »"
    ]
