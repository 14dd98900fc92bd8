"""A real PostgreSQL cluster and a real Chroma server, started once per module and stopped after it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.conftest import sample_draft  # noqa: F401 - the sample draft, shared
from tests.batch.conftest import batch_assistant  # noqa: F401 - the fast batch assistant, shared
from tests.servers import chroma_server, postgres_bin, postgres_cluster


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    if postgres_bin() is None:
        pytest.fail("PostgreSQL is not installed: apt-get install -y postgresql (make test installs it)")
    with postgres_cluster() as url:
        yield url


@pytest.fixture(scope="module")
def chroma_url() -> Iterator[str]:
    with chroma_server() as url:
        yield url
