"""Shared fixtures: the real data mirror and a warehouse built from it once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from critmin.config import Settings, load_settings

REPO = Path(__file__).resolve().parents[1]


def _shared_data() -> Path:
    env = os.environ.get("CRITMIN_SHARED_DATA")
    path = Path(env) if env else REPO.parent / "shared" / "data"
    return path.resolve()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The offline data bundle (tidy files, raw mirror, reference results)."""
    path = _shared_data()
    if not path.is_dir():
        pytest.fail(f"the data bundle is missing at {path}; set CRITMIN_SHARED_DATA")
    return path


@pytest.fixture(scope="session")
def mirror(shared_data) -> Path:
    """The publishers' raw files, laid out as a mirror folder."""
    return shared_data / "raw"


@pytest.fixture()
def settings(tmp_path, mirror) -> Settings:
    """Fresh, empty home reading from the mirror."""
    return load_settings(home=tmp_path / "home", mirror=mirror, offline=True)


@pytest.fixture(scope="session")
def built_settings(tmp_path_factory, mirror) -> Settings:
    """A home whose warehouse was built once from every default source in the mirror."""
    from critmin.warehouse.build import build

    s = load_settings(home=tmp_path_factory.mktemp("home"), mirror=mirror, offline=True)
    build(s, progress=False)
    return s


@pytest.fixture(scope="session")
def warehouse(built_settings):
    from critmin.warehouse import open_warehouse

    return open_warehouse(built_settings)
