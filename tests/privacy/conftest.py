"""Helpers for the PII tests: generated identifiers with valid and invalid check characters."""

from __future__ import annotations

import pytest
from faker import Faker


@pytest.fixture(scope="session")
def fake() -> Faker:
    Faker.seed(20241124)
    return Faker("zh_CN")
