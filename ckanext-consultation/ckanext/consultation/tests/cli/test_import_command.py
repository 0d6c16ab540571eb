"""``ckan consultation import FILE --consultation ID``: CSV, JSON and JSON Lines files."""

from __future__ import annotations

import csv
import json

import sqlalchemy as sa
from ckan import model
from ckan.cli.cli import ckan as ckan_cli

from ckanext.consultation.model import Answer
from ckanext.consultation.tests.actors import answer

FIELDS = ("answer_id", "respondent_key", "question", "option", "age_band", "sex", "commune",
          "departement")


def _import(cli, path, consultation, *extra):
    return cli.invoke(ckan_cli, ["consultation", "import", str(path),
                                 "--consultation", consultation["name"], *extra])


def _stored() -> dict[str, tuple]:
    rows = model.Session.execute(sa.select(Answer.answer_key, Answer.option, Answer.sex,
                                           Answer.departement, Answer.commune))
    return {key: tuple(rest) for key, *rest in rows}


def _write_csv(path, rows, delimiter=",", encoding="utf-8"):
    with path.open("w", newline="", encoding=encoding) as f:
        writer = csv.DictWriter(f, FIELDS, delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_csv_file_with_errors(cli, tmp_path, open_consultation):
    rows = [answer(n) for n in range(20)]
    rows[4]["option"] = "Peut-être"
    rows[7]["commune"] = "75056"
    path = _write_csv(tmp_path / "reponses.csv", rows)
    result = _import(cli, path, open_consultation)
    assert result.exit_code == 1, result.output
    assert "row 5, option: Ce n'est pas une option de réponse de cette question : " \
           "« Peut-être »" in result.output
    assert "row 8, commune: Ce n'est pas une commune du Grand Est (code INSEE) : « 75056 »" \
        in result.output
    assert "20 answers read: 18 imported, 0 already there, 2 rejected." in result.output
    assert "Importing answers" in result.output                     # the progress bar
    assert "r-1" not in result.output                               # no respondent key
    assert len(_stored()) == 18
    # Run again: nothing new, nothing lost.
    again = _import(cli, path, open_consultation)
    assert "20 answers read: 0 imported, 18 already there, 2 rejected." in again.output
    assert len(_stored()) == 18


def test_spreadsheet_csv_semicolons_and_byte_order_mark(cli, tmp_path, open_consultation):
    rows = [{"answer_id": "x1", "respondent_key": "k1", "question": "1", "option": "Oui",
             "sex": "Femme", "commune": "8105", "departement": ""}]
    path = _write_csv(tmp_path / "export.csv", rows, delimiter=";", encoding="utf-8-sig")
    result = _import(cli, path, open_consultation)
    assert result.exit_code == 0, result.output
    assert "1 answers read: 1 imported" in result.output
    assert _stored() == {"x1": ("Oui", "femme", "08", "08105")}


def test_json_array_object_and_lines(cli, tmp_path, open_consultation):
    array = tmp_path / "reponses.json"
    array.write_text(json.dumps([answer(n) for n in range(10)]), encoding="utf-8")
    batch = tmp_path / "lot.json"
    batch.write_text(json.dumps({"consultation_id": open_consultation["id"],
                                 "answers": [answer(n) for n in range(10, 15)]}))
    lines = tmp_path / "flux.jsonl"
    lines.write_text("\n".join(json.dumps(answer(n)) for n in range(15, 18)) + "\n\n")
    for path, count in ((array, 10), (batch, 5), (lines, 3)):
        result = _import(cli, path, open_consultation)
        assert result.exit_code == 0, result.output
        assert f"{count} answers read: {count} imported" in result.output
    assert len(_stored()) == 18
    assert _stored()["a-14"] == ("Sans avis", "non renseigné", "51", "51454")


def test_format_option_overrides_the_extension(cli, tmp_path, open_consultation):
    path = tmp_path / "reponses.txt"
    path.write_text(json.dumps(answer(1)) + "\n")
    refused = _import(cli, path, open_consultation)
    assert refused.exit_code == 2
    assert "Unknown file type .txt" in refused.output
    result = _import(cli, path, open_consultation, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    assert list(_stored()) == ["a-1"]


def test_errors_that_stop_the_import(cli, tmp_path, people, call, open_consultation):
    broken = tmp_path / "casse.json"
    broken.write_text('[{"answer_id": "a-1", "respondent_key": "r-1", "question": 1, '
                      '"option": "Oui"}, {"answer_id": ')
    result = _import(cli, broken, open_consultation)
    assert result.exit_code == 1
    assert "Malformed JSON" in result.output
    missing = cli.invoke(ckan_cli, ["consultation", "import", str(broken),
                                    "--consultation", "no-such-consultation"])
    assert missing.exit_code == 1
    assert "Consultation introuvable" in missing.output
    call("consultation_close", people.moderator, id=open_consultation["id"])
    path = tmp_path / "tard.jsonl"
    path.write_text(json.dumps(answer(1)))
    closed = _import(cli, path, open_consultation)
    assert closed.exit_code == 1
    assert "Les réponses ne sont acceptées que pendant que la consultation est ouverte" in \
        closed.output
