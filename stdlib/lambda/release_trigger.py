"""Start the release pipeline when ECR reports a push of the watched tag.

EventBridge rule: "ECR Image Action", PUSH, SUCCESS. Env: PIPELINE_NAME,
IMAGE_TAG, PASS_DIGEST ("true" by default). Only boto3 + stdlib: inlinable.
"""
import json
import os
import re

import boto3

REQUIRED = ("action-type", "result", "repository-name", "image-digest")


def log(**fields):
    # One JSON line per decision, queryable with CloudWatch Logs Insights.
    print(json.dumps(fields, sort_keys=True))
    return fields


def parse(event):
    """Return the event's detail, or raise ValueError saying what is wrong."""
    if not isinstance(event, dict) or event.get("detail-type") != "ECR Image Action":
        raise ValueError("malformed event: detail-type is not 'ECR Image Action'")
    detail = event.get("detail")
    if not isinstance(detail, dict):
        raise ValueError("malformed event: no 'detail' object")
    missing = [k for k in REQUIRED if not isinstance(detail.get(k), str) or not detail[k]]
    if missing:
        raise ValueError("malformed event: detail lacks " + ", ".join(missing))
    if not detail["image-digest"].startswith("sha256:"):
        raise ValueError("malformed event: image-digest is not sha256:...")
    return detail


def handler(event, context):
    try:
        detail = parse(event)
    except ValueError as e:
        log(decision="rejected", error=str(e))
        raise  # a failed invocation shows in metrics and the DLQ
    tag, digest, want = detail.get("image-tag"), detail["image-digest"], os.environ["IMAGE_TAG"]
    facts = {"repository": detail["repository-name"], "tag": tag, "digest": digest}
    if (detail["action-type"], detail["result"]) != ("PUSH", "SUCCESS"):
        return log(decision="ignored", reason="not a successful push", **facts)
    if tag != want:
        return log(decision="ignored", reason=f"tag {tag!r} is not {want!r}", **facts)

    pipeline = os.environ["PIPELINE_NAME"]
    # Idempotency: a redelivered event (same digest, same event time) gives the
    # same token, so CodePipeline does not start a second release. The time is
    # part of it so that re-tagging an old digest later (a rollback) still
    # releases. Tokens must match [a-zA-Z0-9-]{1,128}.
    token = re.sub(r"[^a-zA-Z0-9]", "-", f"{digest}-{event.get('time', '')}")[:120]
    cp = boto3.client("codepipeline")
    with_vars = os.environ.get("PASS_DIGEST", "true").lower() == "true"
    if with_vars:
        try:
            run = cp.start_pipeline_execution(
                name=pipeline, clientRequestToken=token,
                variables=[{"name": "IMAGE_DIGEST", "value": digest}])
        except cp.exceptions.ValidationException as e:
            # V1 pipelines, or ones not declaring IMAGE_DIGEST, refuse variables:
            # release anyway; the source action then resolves the tag itself.
            log(decision="variables-rejected", pipeline=pipeline, error=str(e), **facts)
            with_vars = False
    if not with_vars:
        # Own token: no execution was started with the first one.
        run = cp.start_pipeline_execution(name=pipeline, clientRequestToken=token + "-nv")
    return log(decision="started", pipeline=pipeline, variables=with_vars,
               execution=run["pipelineExecutionId"], **facts)
