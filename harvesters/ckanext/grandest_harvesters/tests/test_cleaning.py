"""Remote values into the regional schema's values, shared by every harvester."""

from __future__ import annotations

from ckanext.grandest_harvesters import cleaning


def test_tags_keep_ckan_charset_and_one_spelling():
    assert cleaning.tags(["Vélo", "vélo", "VÉLO", "2 roues", "C'est  ça!", "a", "#", None,
                          "x" * 150]) == [
        {"name": "Vélo"}, {"name": "2 roues"}, {"name": "C est ça"}, {"name": "x" * 100}]


def test_markdown_joins_html_parts():
    assert cleaning.markdown("Sous-titre", "<p>Un <strong>résumé</strong> &amp; plus</p>", "") \
        == "Sous-titre\n\nUn **résumé** & plus"
    assert cleaning.markdown(None, "  ") == ""


def test_iso_date_keeps_the_day_and_refuses_the_rest():
    assert cleaning.iso_date("2015-09-30T08:30:00Z") == "2015-09-30"
    assert cleaning.iso_date("2015-09-30") == "2015-09-30"
    for bad in ("2014-13-45T25:61:00", "14/03/2013", "inconnue", "", None):
        assert cleaning.iso_date(bad) is None


def test_as_list():
    assert cleaning.as_list(None) == [] and cleaning.as_list("") == []
    assert cleaning.as_list("a") == ["a"] and cleaning.as_list(("a", "b")) == ["a", "b"]
