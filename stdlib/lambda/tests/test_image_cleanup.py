"""image_cleanup against moto's ECR and ECS.

Image age: moto stamps `imagePushedAt` with the wall clock at put_image and
offers no API to change it. Freezing time (freezegun) would also freeze the
handler's own clock and botocore's request signing, and would need one frozen
block per image. Instead `push` sets the pushed-at field on moto's own Image
object right after the push (`image_pushed_at`, epoch seconds), then reads it
back through describe_images: if moto ever renames or reshapes that field, the
helper fails loudly instead of silently testing images that are all "new".
"""
import hashlib
import json
from datetime import datetime, timedelta, timezone

import boto3
import pytest
from moto.core.exceptions import JsonRESTError
from moto.ecr.models import ECRBackend, ecr_backends
from moto.ecr.responses import ECRResponse
from moto.ecs.models import ecs_backends

import image_cleanup
from conftest import ACCOUNT, REGION, json_lines

REPO = "megadolls/web"
REGISTRY = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"
MANIFEST_V2 = "application/vnd.docker.distribution.manifest.v2+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
_serial = iter(range(10**6))


def push(tags=(), age_days=0, media_type=MANIFEST_V2):
    """Push a unique image with `tags` (none = untagged), aged `age_days`; return its digest."""
    ecr = boto3.client("ecr")
    n = next(_serial)
    layer = "sha256:" + hashlib.sha256(f"layer-{n}".encode()).hexdigest()
    if media_type == OCI_INDEX:
        body = {"schemaVersion": 2, "mediaType": media_type, "manifests": [
            {"mediaType": MANIFEST_V2, "digest": layer, "size": 1,
             "platform": {"architecture": "arm64", "os": "linux"}}]}
    else:
        body = {"schemaVersion": 2, "mediaType": media_type,
                "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                           "size": 1, "digest": layer},
                "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                            "size": 1, "digest": layer}]}
    manifest = json.dumps(body)
    # ECR's digest is the sha256 of the manifest bytes; say so, as ECR would.
    digest = "sha256:" + hashlib.sha256(manifest.encode()).hexdigest()
    for tag in list(tags) or [None]:
        kw = {"imageTag": tag} if tag else {}
        ecr.put_image(repositoryName=REPO, imageManifest=manifest, imageDigest=digest,
                      imageManifestMediaType=media_type, **kw)
    pushed = datetime.now(timezone.utc) - timedelta(days=age_days)
    for image in ecr_backends[ACCOUNT][REGION].repositories[REPO].images:
        if image.image_digest == digest:
            image.image_pushed_at = int(pushed.timestamp())
    seen = ecr.describe_images(repositoryName=REPO, imageIds=[{"imageDigest": digest}])
    assert abs(seen["imageDetails"][0]["imagePushedAt"] - pushed) < timedelta(seconds=2), \
        "moto no longer honours the pushed-at patch; see this module's docstring"
    return digest


def remaining():
    return {i["imageDigest"] for i in boto3.client("ecr").describe_images(
        repositoryName=REPO)["imageDetails"]}


@pytest.fixture
def repo(aws, monkeypatch):
    for var in ("MAX_AGE_DAYS", "KEEP_TAGS", "CLUSTER_ARNS", "DRY_RUN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("REPOSITORY", REPO)
    boto3.client("ecr").create_repository(repositoryName=REPO)
    return REPO


@pytest.fixture
def deletes(monkeypatch):
    """Spy on BatchDeleteImage requests (the id lists), keeping moto's behaviour."""
    seen = []
    original = ECRResponse.batch_delete_image

    def spy(self):
        seen.append([i["imageDigest"] for i in self._get_param("imageIds")])
        return original(self)

    monkeypatch.setattr(ECRResponse, "batch_delete_image", spy)
    return seen


def test_deletes_old_images_but_never_protected_tags(repo, capsys):
    old_untagged = push(age_days=90)
    old_release = push(["v1.0.0"], age_days=61)
    old_latest = push(["latest"], age_days=400)
    old_dev = push(["dev-latest", "build-17"], age_days=200)  # protected by one of two tags
    young_untagged = push(age_days=59)
    young_tagged = push(["v2.0.0"], age_days=1)

    summary = image_cleanup.handler({}, None)

    assert sorted(summary["deleted"]) == sorted([old_untagged, old_release])
    assert remaining() == {old_latest, old_dev, young_untagged, young_tagged}
    assert sorted(summary["protected"]) == sorted([old_latest, old_dev])
    assert summary["kept"] == 4 and summary["failed"] == {}
    assert json_lines(capsys.readouterr().out) == [summary]


def test_keep_tags_and_max_age_come_from_env(repo, monkeypatch):
    monkeypatch.setenv("KEEP_TAGS", " stable , canary ")
    monkeypatch.setenv("MAX_AGE_DAYS", "10")
    stable = push(["stable"], age_days=30)
    canary = push(["canary"], age_days=30)
    latest = push(["latest"], age_days=30)  # not protected under this KEEP_TAGS
    mid = push(age_days=20)
    fresh = push(age_days=5)

    summary = image_cleanup.handler({}, None)

    assert sorted(summary["deleted"]) == sorted([latest, mid])
    assert remaining() == {stable, canary, fresh}


def test_dry_run_deletes_nothing(repo, monkeypatch, deletes):
    monkeypatch.setenv("DRY_RUN", "true")
    old = [push(age_days=100) for _ in range(3)]
    keep = push(["latest"], age_days=100)

    summary = image_cleanup.handler({}, None)

    assert deletes == []
    assert remaining() == set(old) | {keep}
    assert summary["deleted"] == [] and summary["kept"] == 4 and summary["dry_run"] is True
    assert sorted(summary["would_delete"]) == sorted(old)


def test_empty_repository(repo):
    assert image_cleanup.handler({}, None)["deleted"] == []


@pytest.fixture
def paged_describe_images(monkeypatch):
    """Make moto page DescribeImages like AWS (100 per page by default).

    moto 5 returns every image in one page and ignores maxResults/nextToken,
    so a handler that forgets to paginate would pass unnoticed. This pages the
    real moto result in its response layer and counts the pages served.
    """
    pages = []
    original = ECRResponse.describe_images

    def paged(self):
        if self._get_param("imageIds"):  # AWS does not page an explicit id list
            return original(self)
        details = original(self).result["imageDetails"]
        start, size = int(self._get_param("nextToken") or 0), self._get_param("maxResults") or 100
        page = {"imageDetails": details[start:start + size]}
        if start + size < len(details):
            page["nextToken"] = str(start + size)
        pages.append(len(page["imageDetails"]))
        return type(original(self))(page)

    monkeypatch.setattr(ECRResponse, "describe_images", paged)
    return pages


def test_pagination_and_delete_chunks_over_100_images(repo, paged_describe_images, deletes):
    old = [push(age_days=61 + i % 5) for i in range(250)]
    latest = push(["latest"], age_days=365)
    paged_describe_images.clear()  # count only the handler's listing

    summary = image_cleanup.handler({}, None)

    assert paged_describe_images == [100, 100, 51]  # all three pages were read
    assert sorted(summary["deleted"]) == sorted(old)
    assert [len(ids) for ids in deletes] == [100, 100, 50]  # the API's 100-id limit
    assert remaining() == {latest}
    assert summary["kept"] == 1


def test_image_index_is_deleted_before_other_manifests(repo, deletes):
    plain = push(age_days=90)
    index = push(age_days=90, media_type=OCI_INDEX)
    image_cleanup.handler({}, None)
    assert deletes == [[index, plain]]


def test_reported_failures_are_returned_not_raised(repo, monkeypatch):
    old = [push(age_days=70) for _ in range(3)]
    stuck = old[1]
    original = ECRBackend.batch_delete_image

    def refuse_one(self, repository_name, registry_id=None, image_ids=None):
        # What ECR answers for a platform manifest that a kept index still lists.
        rest = [i for i in image_ids if i["imageDigest"] != stuck]
        result = original(self, repository_name, registry_id, rest)
        result["failures"].append({"imageId": {"imageDigest": stuck},
                                   "failureCode": "ImageReferencedByManifestList",
                                   "failureReason": "Requested image is referenced by an index"})
        return result

    monkeypatch.setattr(ECRBackend, "batch_delete_image", refuse_one)
    summary = image_cleanup.handler({}, None)

    assert sorted(summary["deleted"]) == sorted([old[0], old[2]])
    assert list(summary["failed"]) == [stuck]
    assert summary["failed"][stuck].startswith("ImageReferencedByManifestList")
    assert remaining() == {stuck} and summary["kept"] == 1


def test_a_failing_chunk_does_not_stop_the_next(repo, monkeypatch, deletes):
    old = [push(age_days=70) for _ in range(150)]
    original = ECRResponse.batch_delete_image  # the `deletes` spy

    def refuse_first(self):
        # A non-retryable error (botocore would retry throttling by itself).
        if not deletes:
            deletes.append("refused")
            raise JsonRESTError("KmsException", "KMS key is disabled")
        return original(self)

    monkeypatch.setattr(ECRResponse, "batch_delete_image", refuse_first)
    summary = image_cleanup.handler({}, None)

    assert len(summary["failed"]) == 100 and len(summary["deleted"]) == 50
    assert all("KmsException" in why for why in summary["failed"].values())
    assert remaining() == set(summary["failed"])
    assert set(summary["failed"]) | set(summary["deleted"]) == set(old)


# --- images in use by ECS ---------------------------------------------------

def task_def(family, image):
    return boto3.client("ecs").register_task_definition(
        family=family, containerDefinitions=[{"name": "app", "image": image, "memory": 512}],
    )["taskDefinition"]["taskDefinitionArn"]


@pytest.fixture
def ecs_world(repo, monkeypatch):
    """Two clusters using old images in every way the handler must notice."""
    ecs = boto3.client("ecs")
    web = ecs.create_cluster(clusterName="megadolls-web")["cluster"]["clusterArn"]
    ecs.create_cluster(clusterName="megadolls-admin")
    d = {
        "by_digest": push(["v1"], age_days=300),   # service task def: repo@sha256:...
        "by_tag": push(["v2"], age_days=300),      # service task def: repo:v2 (resolved)
        "lookalike": push(["latest-old"], age_days=300),  # protection is by exact tag
        "running": push(age_days=300),             # a running task's recorded digest
        "task_tag": push(["v0"], age_days=300),    # the running task's task def: repo:v0
        "task_set": push(["v4"], age_days=300),    # a CodeDeploy task set: repo:v4
        "unused": push(["v3"], age_days=300),
        "unused_untagged": push(age_days=300),
    }
    ecs.create_service(cluster="megadolls-web", serviceName="django", desiredCount=0,
                       taskDefinition=task_def("django", f"{REGISTRY}/{REPO}@{d['by_digest']}"))
    ecs.create_service(cluster="megadolls-admin", serviceName="pgadmin", desiredCount=0,
                       taskDefinition=task_def("pgadmin", f"{REGISTRY}/{REPO}:v2"))
    # Other repositories' images are ignored, even with a tag name we also use.
    ecs.create_service(cluster="megadolls-admin", serviceName="proxy", desiredCount=0,
                       taskDefinition=task_def("proxy", f"{REGISTRY}/other/repo:v3"))
    # A blue/green service: its task definitions live in task sets only.
    ecs.create_service(cluster="megadolls-web", serviceName="canary", desiredCount=0,
                       deploymentController={"type": "CODE_DEPLOY"})
    ecs.create_task_set(cluster="megadolls-web", service="canary",
                        taskDefinition=task_def("canary", f"{REGISTRY}/{REPO}:v4"))
    # A task started from repo:v0 ...
    run = ecs.run_task(cluster=web, launchType="FARGATE",
                       taskDefinition=task_def("worker", f"{REGISTRY}/{REPO}:v0"))
    assert run["tasks"], run
    # ... and a task whose tag has since moved away: only its containers'
    # imageDigest (what ECS actually pulled) tells which image it runs. moto
    # does not fill imageDigest in, so set it on moto's container object.
    run = ecs.run_task(cluster=web, launchType="FARGATE",
                       taskDefinition=task_def("cron", f"{REGISTRY}/{REPO}:gone"))
    arn = run["tasks"][0]["taskArn"]
    backend = ecs_backends[ACCOUNT][REGION]
    backend.tasks["megadolls-web"][arn].containers[0].image_digest = d["running"]
    return web, d


def test_images_used_by_ecs_are_kept(ecs_world, monkeypatch):
    web_arn, d = ecs_world
    monkeypatch.setenv("CLUSTER_ARNS", f"{web_arn}, megadolls-admin")

    summary = image_cleanup.handler({}, None)

    used = {d["by_digest"], d["by_tag"], d["running"], d["task_tag"], d["task_set"]}
    unused = [d["unused"], d["unused_untagged"], d["lookalike"]]
    assert sorted(summary["deleted"]) == sorted(unused)
    assert remaining() == used
    assert set(summary["protected"]) == used


def test_without_clusters_the_same_images_are_deleted(ecs_world):
    # Control for the test above: the ECS data is what saves those images.
    image_cleanup.handler({}, None)
    assert remaining() == set()


def test_ecs_errors_abort_before_deleting(repo, monkeypatch, deletes):
    monkeypatch.setenv("CLUSTER_ARNS", "no-such-cluster")
    push(age_days=100)
    with pytest.raises(Exception, match="ClusterNotFound"):
        image_cleanup.handler({}, None)
    assert deletes == []


@pytest.mark.parametrize("image, expected", [
    (f"{REGISTRY}/{REPO}:v2", "D-v2"),
    (f"{REGISTRY}/{REPO}", "D-latest"),  # no tag means latest
    (f"{REGISTRY}/{REPO}@sha256:{'e' * 64}", f"sha256:{'e' * 64}"),
    (f"{REGISTRY}/{REPO}:v2@sha256:{'e' * 64}", f"sha256:{'e' * 64}"),  # digest wins
    (f"{REGISTRY}/{REPO}:unknown", None),
    (f"{REGISTRY}/megadolls/webx:v2", None),
    (f"{REGISTRY}/web:v2", None),
    ("public.ecr.aws/docker/library/nginx:v2", None),
    ("", None),
])
def test_ref_digest(image, expected):
    tags = {"v2": "D-v2", "latest": "D-latest"}
    assert image_cleanup.ref_digest(image, REPO, tags) == expected
