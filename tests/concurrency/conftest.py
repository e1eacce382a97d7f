"""Fixtures of the race tests (the machinery is in :mod:`tests.concurrency.harness`).

``serve()`` returns the gunicorn servers of a test, running against the test's fresh database:

* SQLite: every test has its own database file, so every test starts its own instance and stops it at
  its end.
* PostgreSQL: every test uses the same database (truncated before each test by ``database_url``), so
  the module's two instances are started by the first test that asks and serve the following tests too
  (the app keeps no state in its processes), which saves eight worker boots and shutdowns per test.
  Before each test they are health-checked (and restarted if unhealthy) and their logs are marked, so
  a test only sees its own tracebacks. They are stopped at the end of the module, pass or fail.
"""

import pytest

from tests.concurrency.harness import Cluster, Gunicorn


def pytest_configure(config):
    # The project runs pytest with --strict-markers; until pyproject.toml registers the marker, do it here
    # (registering it twice is harmless).
    config.addinivalue_line("markers", "concurrency: races over real HTTP against gunicorn processes")


def _start_all(servers: list[Gunicorn]) -> None:
    """Start the servers together (they boot in parallel), then wait for each to answer."""
    for server in servers:
        server.start()
    for server in servers:
        attempts = 3
        while not server.wait_ready():
            attempts -= 1
            if not attempts:
                raise AssertionError(f"gunicorn exited at start:\n{server.log_tail()}")
            server.stop()  # most likely its free port was taken before it bound it: try another one
            server.start()


_stopping: list[Gunicorn] = []


def _stop_all(servers: list[Gunicorn], *, wait: bool = True) -> None:
    """Ask every server to shut down at once; then wait for each (or let ``reap_servers`` wait at the end)."""
    for server in servers:
        server.request_stop()
    if wait:
        for server in servers:
            server.stop()
    else:
        _stopping.extend(servers)


@pytest.fixture(scope="session", autouse=True)
def reap_servers():
    """At the end of the run, wait for every server told to stop (SIGKILL after 15 s)."""
    yield
    while _stopping:
        _stopping.pop().stop()


@pytest.fixture(scope="module")
def shared_postgresql_servers(database, tmp_path_factory):
    """The module's two gunicorn instances on the PostgreSQL test database, started on first use."""
    servers: list[Gunicorn] = []

    def get() -> Cluster:
        if not servers:
            logs = tmp_path_factory.mktemp("gunicorn")
            servers.extend(Gunicorn(database[1], logs / f"gunicorn-{i}.log") for i in range(2))
            _start_all(servers)
        for server in servers:
            if not server.healthy():
                server.stop()
                _start_all([server])
        return Cluster(list(servers))

    yield get
    _stop_all(servers)


@pytest.fixture
def serve(database, database_url, tmp_path, shared_postgresql_servers):
    """``serve()`` returns the Cluster serving this test's database (see the module docstring)."""
    started: list[Gunicorn] = []

    def start() -> Cluster:
        if database[0] == "postgresql":
            cluster = shared_postgresql_servers()
        else:
            server = Gunicorn(database_url, tmp_path / "gunicorn.log")
            started.append(server)
            _start_all([server])
            cluster = Cluster([server])
        cluster.mark()
        return cluster

    yield start
    # Told to stop now (its listening socket closes at once); its workers take a second or two to exit,
    # which the next test need not wait for: reap_servers waits for them at the end of the run.
    _stop_all(started, wait=False)
