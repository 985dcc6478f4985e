"""Scheduled: delete old ECR images that no tag or ECS use protects.

Env: REPOSITORY, MAX_AGE_DAYS (60), KEEP_TAGS ("latest,dev-latest"),
CLUSTER_ARNS (optional, comma separated), DRY_RUN ("false").
"""
import json
import os
import re
from datetime import datetime, timedelta, timezone

import boto3


def env_list(name, default=""):
    return [x.strip() for x in os.environ.get(name, default).split(",") if x.strip()]


def listed(client, op, key, **kw):  # all pages
    return [x for p in client.get_paginator(op).paginate(**kw) for x in p[key]]


def chunks(items, n):
    return [items[i:i + n] for i in range(0, len(items), n)]


def ref_digest(image, repo, tags):
    """Digest that '<host>/<repo>[:tag][@digest]' names, if in repo."""
    name, _, digest = image.partition("@")
    path, _, tag = name.split("/", 1)[-1].partition(":")
    return (digest or tags.get(tag or "latest")) if path == repo else None


def in_use(clusters, repo, tags):
    """Digests ECS runs or may start. Errors propagate: never delete blind."""
    ecs, used, defs = boto3.client("ecs"), set(), set()
    for c in clusters:
        for arns in chunks(listed(ecs, "list_tasks", "taskArns", cluster=c), 100):
            for t in ecs.describe_tasks(cluster=c, tasks=arns)["tasks"]:
                defs.add(t.get("taskDefinitionArn"))
                # What the task really pulled, even if the tag moved since.
                used.update(k.get("imageDigest") for k in t.get("containers", []))
        for arns in chunks(listed(ecs, "list_services", "serviceArns", cluster=c), 10):
            for s in ecs.describe_services(cluster=c, services=arns)["services"]:
                # Deployments / task sets (CodeDeploy): what a rollout may start.
                ds = [s] + s.get("deployments", []) + s.get("taskSets", [])
                defs.update(d.get("taskDefinition") for d in ds)
    for arn in defs - {None}:
        td = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
        used.update(ref_digest(c.get("image", ""), repo, tags) for c in td["containerDefinitions"])
    return used - {None}


def handler(event, context):
    repo, env = os.environ["REPOSITORY"], os.environ.get
    keep = set(env_list("KEEP_TAGS", "latest,dev-latest"))
    dry = env("DRY_RUN", "false").lower() == "true"
    cutoff = datetime.now(timezone.utc) - timedelta(days=int(env("MAX_AGE_DAYS", "60")))
    ecr = boto3.client("ecr")
    images = listed(ecr, "describe_images", "imageDetails", repositoryName=repo)
    tags = {t: i["imageDigest"] for i in images for t in i.get("imageTags", [])}
    used = in_use(env_list("CLUSTER_ARNS"), repo, tags)
    protected, old = [], []
    for i in images:
        if keep & set(i.get("imageTags", [])) or i["imageDigest"] in used:
            protected.append(i["imageDigest"])
        elif i["imagePushedAt"] < cutoff:
            old.append(i)
    # Indexes first: ECR won't delete a manifest that an index lists
    # (ImageReferencedByManifestList); that guards kept multi-arch images.
    old.sort(key=lambda i: not re.search("index|list", i.get("imageManifestMediaType", "")))
    doomed = [i["imageDigest"] for i in old]
    deleted, failed = [], {}
    for part in [] if dry else chunks(doomed, 100):  # API max: 100 ids a call
        try:
            ids = [{"imageDigest": d} for d in part]
            fails = ecr.batch_delete_image(repositoryName=repo, imageIds=ids).get("failures", [])
            bad = {f["imageId"].get("imageDigest"):
                   f"{f.get('failureCode')}: {f.get('failureReason')}" for f in fails}
        except ecr.exceptions.ClientError as e:  # report, try the next chunk
            bad = dict.fromkeys(part, str(e))
        failed.update(bad)
        deleted += [d for d in part if d not in bad]
    out = {"deleted": deleted, "kept": len(images) - len(deleted), "protected": protected,
           "failed": failed, "dry_run": dry, "would_delete": doomed if dry else []}
    print(json.dumps(out))
    return out
