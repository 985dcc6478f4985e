"""Shared fixtures: fake credentials, one region, an in-process moto mock.

No test touches the network: every boto3 call is answered by moto's
in-memory backends (`mock_aws`), which are reset for each test.
"""
import json
import os
import sys

import pytest

# The handlers are plain modules next to this folder (as Lambda sees them).
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account id


@pytest.fixture(autouse=True)
def aws_env(monkeypatch):
    """Fake credentials and a fixed region, so nothing can reach real AWS."""
    for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    # Point config/credentials files at nothing so a developer's ~/.aws is ignored.
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)


@pytest.fixture
def aws(aws_env):
    from moto import mock_aws

    with mock_aws():
        yield


def json_lines(text):
    """Parse captured stdout as JSON lines (the handlers' log format)."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]
