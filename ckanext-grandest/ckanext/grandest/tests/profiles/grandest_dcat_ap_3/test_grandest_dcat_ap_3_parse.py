"""DCAT-AP 3 -> regional fields, and the round trip through both directions."""

from __future__ import annotations

from pathlib import Path

from ckanext.dcat.processors import RDFParser, RDFSerializer

REGIONAL_FIELDS = ("theme", "territorial_coverage", "bbox", "frequency", "language",
                   "temporal_start", "temporal_end", "license_id", "conforms_to",
                   "issued", "modified", "identifier", "title", "notes")

EXAMPLE = Path(__file__).parents[3] / "examples" / "dataset_grandest_dcat_ap_3.ttl"


def _parse(data: str, fmt: str = "turtle") -> list[dict]:
    parser = RDFParser()
    parser.parse(data, _format=fmt)
    return list(parser.datasets())


def test_round_trip_gives_back_the_same_regional_fields(regional_dataset):
    turtle = RDFSerializer().serialize_dataset(regional_dataset, _format="turtle")
    (parsed,) = _parse(turtle)
    for field in REGIONAL_FIELDS:
        assert parsed[field] == regional_dataset[field], field
    assert [(c["name"], c["email"]) for c in parsed["contact"]] == [
        ("Service SIG", "sig@strasbourg.eu")
    ]
    assert sorted(r["format"] for r in parsed["resources"]) == ["CSV", "GeoJSON"]


def test_parses_the_documented_example():
    (parsed,) = _parse(EXAMPLE.read_text(encoding="utf-8"))
    assert parsed["theme"] == ["REGI", "TRAN"]
    assert parsed["territorial_coverage"] == ["departement:57", "commune:57463"]
    assert parsed["frequency"] == "MONTHLY"
    assert parsed["license_id"] == "lov2"
    assert parsed["temporal_start"] == "2023-01-01"
    assert parsed["remote_id"] == "metz-parkings-2023"
    assert not {e["key"] for e in parsed.get("extras", [])} & {"theme", "spatial_uri"}


def test_unknown_uris_are_dropped_not_guessed():
    (parsed,) = _parse("""
        @prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
        <http://x/ds> a dcat:Dataset ; dct:title "X" ;
          dcat:theme <http://example.org/theme/sport> ;
          dct:spatial <http://id.insee.fr/geo/commune/75056> ;
          dct:accrualPeriodicity <http://example.org/weekly-ish> .
    """)
    assert parsed["theme"] == []
    assert parsed["territorial_coverage"] == []
    assert "frequency" not in parsed


def test_bounding_box_from_wkt_or_geojson():
    (wkt, geojson) = sorted(_parse("""
        @prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
        @prefix gsp: <http://www.opengis.net/ont/geosparql#> .
        <http://x/wkt> a dcat:Dataset ; dct:title "WKT" ; dct:spatial [ dcat:bbox
          "POLYGON((7.6 48.4, 7.9 48.4, 7.9 48.7, 7.6 48.7, 7.6 48.4))"^^gsp:wktLiteral ] .
        <http://x/geojson> a dcat:Dataset ; dct:title "GeoJSON" ; dct:spatial [ dcat:bbox
          '''{"type": "Polygon", "coordinates": [[[1.40, 51.10], [2.36, 51.10], [2.36, 50.00],
            [1.40, 50.00], [1.40, 51.10]]]}'''^^gsp:geoJSONLiteral ] .
    """), key=lambda d: d["title"] != "WKT")
    assert wkt["bbox"] == "7.6,48.4,7.9,48.7"
    assert geojson["bbox"] == "1.4,50,2.36,51.1"
