"""Fixtures of the race tests (the machinery is in :mod:`tests.concurrency.harness`)."""

import pytest

from tests.concurrency.harness import Cluster, Gunicorn


def pytest_configure(config):
    # The project runs pytest with --strict-markers; until pyproject.toml registers the marker, do it here
    # (registering it twice is harmless).
    config.addinivalue_line("markers", "concurrency: races over real HTTP against gunicorn processes")


@pytest.fixture
def serve(database, database_url, tmp_path):
    """``serve()`` starts gunicorn on the test's database (two instances on PostgreSQL) and returns a Cluster."""
    started: list[Gunicorn] = []

    def start(instances: int | None = None) -> Cluster:
        count = instances or (2 if database[0] == "postgresql" else 1)
        servers = [Gunicorn(database_url, tmp_path / f"gunicorn-{i}.log") for i in range(count)]
        for server in servers:
            started.append(server)
            server.start()
        for server in servers:
            attempts = 3
            while not server.wait_ready():
                attempts -= 1
                if not attempts:
                    raise AssertionError(f"gunicorn exited at start:\n{server.log_tail()}")
                server.stop()  # most likely its free port was taken before it bound it: try another one
                server.start()
        return Cluster(servers)

    yield start
    for server in started:  # all at once, then wait for each
        server.request_stop()
    for server in started:
        server.stop()
