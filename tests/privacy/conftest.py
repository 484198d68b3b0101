"""Helpers for the PII tests: generated identifiers with valid and invalid check characters."""

from __future__ import annotations

from pathlib import Path

import pytest
from faker import Faker


@pytest.fixture(scope="session")
def fake() -> Faker:
    Faker.seed(20241124)
    return Faker("zh_CN")


@pytest.fixture
def people_home(home: Path) -> Path:
    from sandbox.demo.people import seed_people

    seed_people()
    return home
