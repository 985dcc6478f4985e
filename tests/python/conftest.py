"""Shared fixtures: the mdl binary under test and the repository root."""
import os
import pathlib
import shutil

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def mdl() -> str:
    """The mdl binary: $MDL_BIN (set by .ci/run), else one on PATH."""
    binary = os.environ.get("MDL_BIN") or shutil.which("mdl")
    if not binary:
        pytest.fail("set MDL_BIN to the mdl binary (cargo build; MDL_BIN=target/debug/mdl)")
    return binary
