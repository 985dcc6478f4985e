"""release_trigger against moto's CodePipeline (real moto state, not mocks of boto3)."""
import json
import re

import boto3
import pytest
from moto.codepipeline.responses import CodePipelineResponse
from moto.core.exceptions import JsonRESTError

import release_trigger
from conftest import json_lines

PIPELINE = "megadolls-dev-release"
DIGEST = "sha256:" + "ab" * 32
OTHER_DIGEST = "sha256:" + "cd" * 32


def push_event(tag="dev-latest", digest=DIGEST, time="2026-01-02T03:04:05Z", **detail):
    d = {"action-type": "PUSH", "result": "SUCCESS", "repository-name": "megadolls/web",
         "image-tag": tag, "image-digest": digest}
    d.update(detail)
    return {"version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
            "detail-type": "ECR Image Action", "source": "aws.ecr", "account": "123456789012",
            "time": time, "region": "us-east-1", "resources": [], "detail": d}


@pytest.fixture
def env(monkeypatch):
    monkeypatch.setenv("PIPELINE_NAME", PIPELINE)
    monkeypatch.setenv("IMAGE_TAG", "dev-latest")
    monkeypatch.delenv("PASS_DIGEST", raising=False)


@pytest.fixture
def calls(monkeypatch):
    """Record StartPipelineExecution requests and honour clientRequestToken.

    Real CodePipeline treats clientRequestToken as an idempotency token: a
    repeated token returns the first execution instead of starting another.
    moto ignores the token (and botocore fills in a random one when the caller
    sends none), so without this wrapper a handler sending no or a random token
    would pass the duplicate-event test. The wrapper sits in moto's HTTP
    response layer, so executions are still real moto state.
    """
    seen, recorded = {}, []
    original = CodePipelineResponse.start_pipeline_execution

    def start(self):
        token = self._get_param("clientRequestToken")
        recorded.append({"token": token, "variables": self._get_param("variables")})
        if token in seen:
            return json.dumps({"pipelineExecutionId": seen[token]})
        body = original(self)
        seen[token] = json.loads(body)["pipelineExecutionId"]
        return body

    monkeypatch.setattr(CodePipelineResponse, "start_pipeline_execution", start)
    return recorded


@pytest.fixture
def pipeline(aws, env, calls):
    iam = boto3.client("iam")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
             "Principal": {"Service": "codepipeline.amazonaws.com"}}]}
    role = iam.create_role(RoleName="pipeline", AssumeRolePolicyDocument=json.dumps(trust))
    action = {"category": "Source", "owner": "AWS", "provider": "ECR", "version": "1"}
    boto3.client("codepipeline").create_pipeline(pipeline={
        "name": PIPELINE, "roleArn": role["Role"]["Arn"],
        "artifactStore": {"type": "S3", "location": "artifacts"},
        "pipelineType": "V2",
        "variables": [{"name": "IMAGE_DIGEST", "defaultValue": "unset"}],
        "stages": [
            {"name": "Source", "actions": [{
                "name": "Image", "actionTypeId": action, "outputArtifacts": [{"name": "img"}],
                "configuration": {"RepositoryName": "megadolls/web", "ImageTag": "dev-latest"}}]},
            {"name": "Build", "actions": [{
                "name": "Build", "inputArtifacts": [{"name": "img"}],
                "actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild",
                                 "version": "1"},
                "configuration": {"ProjectName": "prepare"}}]},
        ]})
    return PIPELINE


def executions():
    return boto3.client("codepipeline").list_pipeline_executions(
        pipelineName=PIPELINE)["pipelineExecutionSummaries"]


def execution_variables(execution_id):
    got = boto3.client("codepipeline").get_pipeline_execution(
        pipelineName=PIPELINE, pipelineExecutionId=execution_id)["pipelineExecution"]
    return got.get("variables", [])


def test_matching_tag_starts_one_execution_with_digest(pipeline, calls, capsys):
    result = release_trigger.handler(push_event(), None)

    runs = executions()
    assert len(runs) == 1
    assert result["decision"] == "started"
    assert result["execution"] == runs[0]["pipelineExecutionId"]
    assert result["variables"] is True
    assert execution_variables(result["execution"]) == [
        {"name": "IMAGE_DIGEST", "resolvedValue": DIGEST}]
    # The token must satisfy CodePipeline's pattern, or real AWS rejects the call.
    assert re.fullmatch(r"[a-zA-Z0-9-]{1,128}", calls[0]["token"])
    # Exactly one JSON log line, carrying the decision.
    logs = json_lines(capsys.readouterr().out)
    assert [line["decision"] for line in logs] == ["started"]
    assert logs[0]["digest"] == DIGEST and logs[0]["pipeline"] == PIPELINE


def test_duplicate_event_starts_only_one_release(pipeline, calls):
    first = release_trigger.handler(push_event(), None)
    second = release_trigger.handler(push_event(), None)

    assert len(calls) == 2  # the handler did call twice ...
    assert len(executions()) == 1  # ... but the token made it one release
    assert first["execution"] == second["execution"]


def test_same_digest_pushed_again_later_is_released_again(pipeline):
    # Re-tagging an old digest (a rollback) is a new push, not a duplicate.
    release_trigger.handler(push_event(time="2026-01-02T03:04:05Z"), None)
    release_trigger.handler(push_event(time="2026-02-01T00:00:00Z"), None)
    assert len(executions()) == 2


def test_different_digests_are_separate_releases(pipeline):
    release_trigger.handler(push_event(), None)
    release_trigger.handler(push_event(digest=OTHER_DIGEST), None)
    assert len(executions()) == 2


def test_pass_digest_false_starts_without_variables(pipeline, calls, monkeypatch):
    monkeypatch.setenv("PASS_DIGEST", "false")
    result = release_trigger.handler(push_event(), None)

    assert len(executions()) == 1
    assert result["variables"] is False
    assert [c["variables"] for c in calls] == [None]
    assert execution_variables(result["execution"]) == []


def test_falls_back_when_pipeline_rejects_variables(pipeline, calls, monkeypatch, capsys):
    """A V1 pipeline (or one not declaring IMAGE_DIGEST) answers ValidationException.

    moto accepts variables on any pipeline, so this reproduces AWS's refusal in
    moto's response layer; the no-variables retry reaches real moto state.
    """
    accepting = CodePipelineResponse.start_pipeline_execution  # the `calls` wrapper

    def refuse_variables(self):
        if self._get_param("variables"):
            calls.append({"token": self._get_param("clientRequestToken"),
                          "variables": self._get_param("variables")})
            raise JsonRESTError("ValidationException",
                                "Pipeline variables are not supported for V1 pipelines")
        return accepting(self)

    monkeypatch.setattr(CodePipelineResponse, "start_pipeline_execution", refuse_variables)
    result = release_trigger.handler(push_event(), None)

    runs = executions()
    assert len(runs) == 1
    assert result == {**result, "decision": "started", "variables": False,
                      "execution": runs[0]["pipelineExecutionId"]}
    assert execution_variables(result["execution"]) == []
    # Tried once with the variable, then once without, under its own token.
    assert [bool(c["variables"]) for c in calls] == [True, False]
    assert calls[0]["token"] != calls[1]["token"]
    decisions = [line["decision"] for line in json_lines(capsys.readouterr().out)]
    assert decisions == ["variables-rejected", "started"]
    # A duplicate delivery of the same event still yields a single release.
    release_trigger.handler(push_event(), None)
    assert len(executions()) == 1


def test_other_errors_are_not_swallowed(pipeline, monkeypatch):
    monkeypatch.setenv("PIPELINE_NAME", "no-such-pipeline")
    with pytest.raises(Exception, match="PipelineNotFound"):
        release_trigger.handler(push_event(), None)


def test_non_matching_tag_is_ignored(pipeline, calls, capsys):
    result = release_trigger.handler(push_event(tag="v1.2.3"), None)

    assert result["decision"] == "ignored"
    assert "'v1.2.3'" in result["reason"] and "'dev-latest'" in result["reason"]
    assert executions() == [] and calls == []
    assert json_lines(capsys.readouterr().out) == [result]


def test_prod_tag_does_not_trigger_dev_pipeline(pipeline):
    assert release_trigger.handler(push_event(tag="latest"), None)["decision"] == "ignored"
    assert executions() == []


@pytest.mark.parametrize("detail", [
    {"action-type": "DELETE"},
    {"result": "FAILURE"},
    {"image-tag": None},  # an untagged push (by digest) carries no tag
])
def test_non_release_events_are_ignored(pipeline, detail):
    event = push_event()
    event["detail"].update(detail)
    event["detail"] = {k: v for k, v in event["detail"].items() if v is not None}
    assert release_trigger.handler(event, None)["decision"] == "ignored"
    assert executions() == []


def _without(key):
    event = push_event()
    del event["detail"][key]
    return event


@pytest.mark.parametrize("event, words", [
    (None, "detail-type"),
    ([], "detail-type"),
    ({}, "detail-type"),
    ({**push_event(), "detail-type": "ECR Image Scan"}, "detail-type"),
    ({k: v for k, v in push_event().items() if k != "detail"}, "'detail'"),
    ({**push_event(), "detail": "PUSH"}, "'detail'"),
    (_without("repository-name"), "repository-name"),
    (_without("image-digest"), "image-digest"),
    (push_event(**{"action-type": 7}), "action-type"),
    (push_event(digest="latest"), "sha256"),
])
def test_malformed_event_is_rejected_clearly(pipeline, capsys, event, words):
    with pytest.raises(ValueError, match="malformed event") as err:
        release_trigger.handler(event, None)
    assert words in str(err.value)
    assert executions() == []
    assert json_lines(capsys.readouterr().out) == [
        {"decision": "rejected", "error": str(err.value)}]
