"""Each validator of the regional schema, with good and bad values."""

from __future__ import annotations

import json

import ckan.plugins.toolkit as tk
import pytest

from ckanext.grandest.logic import validators as v

pytestmark = pytest.mark.usefixtures("with_request_context")


def rejects(validator, value, message):
    with pytest.raises(tk.Invalid) as e:
        validator(value, {})
    assert message in str(e.value.error)


@pytest.mark.parametrize(("given", "stored"), [
    (["commune:67482"], ["commune:67482"]),
    ("67482", ["commune:67482"]),                      # bare commune code
    ("67482, 68", ["commune:67482", "departement:68"]),  # form input, comma-separated
    (["http://id.insee.fr/geo/commune/57463"], ["commune:57463"]),  # INSEE URI
    (["246700488", "region:44"], ["epci:246700488", "region:44"]),
    (["88", "88", "departement:88"], ["departement:88"]),  # de-duplicated
    ('["2A"]', None),                                    # JSON list (outside: see below)
])
def test_territories_accepts_keys_codes_and_uris(given, stored):
    if stored is None:
        rejects(v.grandest_territories, given, "hors du Grand Est")
    else:
        assert json.loads(v.grandest_territories(given, {})) == stored


@pytest.mark.parametrize(("value", "message"), [
    ("75056", "« 75056 » est hors du Grand Est"),        # Paris
    ("44", "« 44 » est hors du Grand Est"),  # Loire-Atlantique; the région is region:44
    ("region:11", "hors du Grand Est"),
    ("67999", "Code INSEE inconnu : « 67999 »"),          # a Bas-Rhin code that does not exist
    ("epci:123456789", "Code INSEE inconnu"),
    ("http://id.insee.fr/geo/commune/75056", "Code INSEE inconnu"),
    ("Strasbourg", "Code INSEE inconnu"),
])
def test_territories_rejects_unknown_and_outside_codes(value, message):
    rejects(v.grandest_territories, value, message)


def test_single_territory_of_an_organisation():
    assert v.grandest_territory("88", {}) == "departement:88"
    rejects(v.grandest_territory, "13055", "hors du Grand Est")


@pytest.mark.parametrize("siren", ["200052264", "245400676", "200 052 264"])
def test_siren_with_valid_luhn_checksum(siren):
    assert v.grandest_siren(siren, {}) == siren.replace(" ", "")


@pytest.mark.parametrize(("siren", "message"), [
    ("200052265", "clé de contrôle erronée"),
    ("12345678", "9 chiffres"),
    ("20005226A", "9 chiffres"),
])
def test_siren_rejected(siren, message):
    rejects(v.grandest_siren, siren, message)


def test_email():
    assert v.grandest_email(" sig@strasbourg.eu ", {}) == "sig@strasbourg.eu"
    for bad in ("sig@", "sig.strasbourg.eu", "a b@c.fr", "x@y"):
        rejects(v.grandest_email, bad, "Adresse électronique mal formée")


def test_themes_accept_codes_and_uris():
    uri = "http://publications.europa.eu/resource/authority/data-theme/TRAN"
    assert json.loads(v.grandest_themes(["envi", uri, "ENVI"], {})) == ["ENVI", "TRAN"]
    rejects(v.grandest_themes, ["ENVI", "SPORT"], "Thème inconnu : « SPORT »")


def test_frequency():
    assert v.grandest_frequency("annual", {}) == "ANNUAL"
    uri = "http://publications.europa.eu/resource/authority/frequency/DAILY"
    assert v.grandest_frequency(uri, {}) == "DAILY"
    rejects(v.grandest_frequency, "souvent", "Fréquence de mise à jour inconnue")


def test_licence():
    assert v.grandest_licence("lov2", {}) == "lov2"
    rejects(v.grandest_licence, "cc-by-nc", "Licence inconnue : « cc-by-nc »")


def test_bbox():
    assert v.grandest_bbox("7.6, 48.4, 7.90, 48.7", {}) == "7.6,48.4,7.9,48.7"
    rejects(v.grandest_bbox, "7.6,48.4,7.9", "quatre nombres")
    rejects(v.grandest_bbox, "7.9,48.4,7.6,48.7", "inversée")   # west > east
    rejects(v.grandest_bbox, "7.6,48.4,7.9,98", "hors limites")


@pytest.mark.parametrize(("start", "end", "ok"), [
    ("2020-01-01", "2021-01-01", True),
    ("2020-01-01", "2020-01-01", True),
    ("2021-01-01", "2020-12-31", False),
    ("", "2020-12-31", True),
])
def test_end_after_start(start, end, ok):
    check = v.grandest_end_after_start("temporal_start")
    errors = {("temporal_end",): []}
    check(("temporal_end",), {("temporal_start",): start, ("temporal_end",): end}, errors, {})
    assert (errors[("temporal_end",)] == []) is ok
    if not ok:
        assert errors[("temporal_end",)] == ["La date de fin est antérieure à la date de début"]
