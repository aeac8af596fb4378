"""A throwaway PostgreSQL server for the tests, and fresh databases on it.

With ``STOCKLINE_TEST_POSTGRES_URL`` set (a URL of a role that may create databases), the tests
use that server. Otherwise the first test that needs PostgreSQL starts one from the installed
binaries (Debian's ``/usr/lib/postgresql/<version>/bin``, or ``pg_ctl`` on the ``PATH``):
``initdb`` and ``pg_ctl`` into a temporary directory, listening only on a unix socket in that
directory, run as the ``postgres`` user when the tests run as root (PostgreSQL refuses to run
as root). Durability is switched off (``fsync=off``): the tests kill clients, never the
server. Each pytest-xdist worker starts its own server, stopped when the worker ends.

Every store gets a database of its own, copied from a template that the shipped migrations
brought up to date once (``CREATE DATABASE ... TEMPLATE``, a few tens of milliseconds).
"""

from __future__ import annotations

import atexit
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
from collections import deque
from collections.abc import Sequence
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from stockline.adapters import SqlAlchemyStockStore

__all__ = ["URL_ENV", "PostgresServer", "requires_postgres", "server", "unavailable_reason"]

URL_ENV = "STOCKLINE_TEST_POSTGRES_URL"
_USER = "stockline"
#: Databases made by fresh_database() beyond this many most recent ones are dropped.
_KEEP = 6


def _bin_dir() -> Path | None:
    versions = [
        p.parent
        for p in Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")
        if p.parent.parent.name.isdigit()
    ]
    if versions:
        return max(versions, key=lambda p: int(p.parent.name))
    found = shutil.which("pg_ctl")
    return Path(found).parent if found and shutil.which("initdb") else None


def unavailable_reason() -> str | None:
    """Why no PostgreSQL can be had for the tests here, or ``None`` when one can."""
    if os.environ.get(URL_ENV):
        return None
    if _bin_dir() is None:
        return (
            "PostgreSQL is not installed (no initdb/pg_ctl in /usr/lib/postgresql/*/bin or on "
            f"the PATH): apt-get install postgresql, or set {URL_ENV} to a server's URL"
        )
    if os.geteuid() == 0 and not _has_user("postgres"):
        return "running as root and there is no 'postgres' user to run the server as"
    return None


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


#: Marks a test that needs PostgreSQL. In CI (``CI`` set) nothing is skipped: a missing server
#: is a failure, since .ci/run installs it.
requires_postgres = pytest.mark.skipif(
    unavailable_reason() is not None and not os.environ.get("CI"),
    reason=str(unavailable_reason()),
)


class PostgresServer:
    """A PostgreSQL server the tests may create and drop databases on."""

    def __init__(self, admin_url: sa.URL, *, directory: Path | None = None) -> None:
        self.admin_url = admin_url
        self._directory = directory
        self._names = itertools.count()
        self._prefix = f"sl_test_{os.getpid()}"
        self._made: deque[str] = deque()
        self._lock = threading.Lock()
        params: dict[str, str | int | None] = {
            "user": admin_url.username,
            "password": admin_url.password,
            "host": admin_url.host,
            "port": admin_url.port,
            "dbname": admin_url.database,
        }
        params.update({k: v for k, v in admin_url.query.items() if isinstance(v, str)})
        self._conninfo = psycopg.conninfo.make_conninfo(
            "", **{k: v for k, v in params.items() if v is not None}
        )
        with psycopg.connect(self._conninfo) as conn:
            version = conn.info.server_version
        # FILE_COPY is much faster than the default WAL_LOG for a small template.
        self._strategy = " STRATEGY FILE_COPY" if version >= 150000 else ""
        self.template = f"{self._prefix}_template"
        self.execute(f"DROP DATABASE IF EXISTS {self.template}", f"CREATE DATABASE {self.template}")
        SqlAlchemyStockStore.open(self.url(self.template), poolclass=sa.NullPool).close()

    @classmethod
    def start(cls) -> PostgresServer:
        """Start a server in a temporary directory (see the module's docstring)."""
        bin_dir = _bin_dir()
        reason = unavailable_reason()
        if bin_dir is None or reason is not None:
            raise RuntimeError(f"cannot start PostgreSQL for the tests: {reason}")
        directory = Path(tempfile.mkdtemp(prefix="slpg-"))
        as_user: Sequence[str] = ()
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(directory, owner.pw_uid, owner.pw_gid)
            as_user = ("runuser", "-u", "postgres", "--")
        data = directory / "data"
        port = _free_port()
        options = (
            f"-k {directory} -c listen_addresses='' -p {port} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        initdb = [str(bin_dir / "initdb"), "-D", str(data), "-U", _USER, "--auth=trust"]
        initdb += ["-E", "UTF8", "--no-sync", "--no-instructions"]
        pg_ctl = [str(bin_dir / "pg_ctl"), "start", "-w", "-D", str(data)]
        pg_ctl += ["-l", str(directory / "server.log"), "-o", options]
        run = [[*as_user, *initdb], [*as_user, *pg_ctl]]
        for command in run:
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                shutil.rmtree(directory, ignore_errors=True)
                raise RuntimeError(
                    f"{command[len(as_user)]} failed: {done.stdout}{done.stderr}".strip()
                )
        url = sa.URL.create(
            "postgresql+psycopg",
            username=_USER,
            database="postgres",
            query={"host": str(directory), "port": str(port)},
        )
        server = cls(url, directory=directory)
        server._stop_command = [*as_user, str(bin_dir / "pg_ctl"), "stop", "-m", "immediate"]
        server._stop_command += ["-D", str(data)]
        return server

    _stop_command: list[str] | None = None
    _stopped = False

    def url(self, database: str) -> str:
        """The URL of ``database`` on this server."""
        return self.admin_url.set(database=database).render_as_string(hide_password=False)

    def fresh_database(self) -> str:
        """Create an empty, migrated database and return its URL.

        Databases made before the last few are dropped (with any connection left to them).
        """
        with self._lock:
            name = f"{self._prefix}_{next(self._names)}"
            self.execute(f"CREATE DATABASE {name} TEMPLATE {self.template}{self._strategy}")
            self._made.append(name)
            old = [self._made.popleft() for _ in range(max(0, len(self._made) - _KEEP))]
        self.execute(*(f"DROP DATABASE IF EXISTS {n} WITH (FORCE)" for n in old))
        return self.url(name)

    def drop(self, url: str) -> None:
        """Drop the database at ``url`` (made by :meth:`fresh_database`)."""
        name = sa.make_url(url).database
        with self._lock:
            if name is None or name not in self._made:
                return
            self._made.remove(name)
        self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        """Drop every database made here and stop the server if it was started here."""
        if self._stopped:
            return
        self._stopped = True
        try:
            if self._stop_command is None:
                names = [*self._made, self.template]
                self._made.clear()
                self.execute(*(f"DROP DATABASE IF EXISTS {n} WITH (FORCE)" for n in names))
        finally:
            if self._stop_command is not None:
                subprocess.run(self._stop_command, capture_output=True, check=False)
                self._stop_command = None
            if self._directory is not None:
                shutil.rmtree(self._directory, ignore_errors=True)
                self._directory = None

    def execute(self, *statements: str) -> None:
        """Run statements (CREATE/DROP DATABASE, ...) as the server's superuser."""
        if statements:
            with psycopg.connect(self._conninfo, autocommit=True) as conn:
                for statement in statements:
                    conn.execute(statement.encode())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


_server: PostgresServer | None = None
_server_lock = threading.Lock()


def server() -> PostgresServer:
    """This process's server: the one at ``STOCKLINE_TEST_POSTGRES_URL``, or a new one."""
    global _server
    with _server_lock:
        if _server is None:
            given = os.environ.get(URL_ENV)
            if given:
                url = sa.make_url(given)
                if url.drivername == "postgresql":
                    url = url.set(drivername="postgresql+psycopg")
                _server = PostgresServer(url)
            else:
                _server = PostgresServer.start()
            atexit.register(_server.stop)
        return _server


def stop() -> None:
    """Stop this process's server, if one was started."""
    global _server
    with _server_lock:
        while _stores:
            _stores.popleft().close()
        if _server is not None:
            _server.stop()
            _server = None


_stores: deque[SqlAlchemyStockStore] = deque()


def store() -> SqlAlchemyStockStore:
    """A store on a fresh database of this process's server.

    For tests that make a store per Hypothesis example and may not close it: stores made
    before the last few are closed here, before their databases are dropped.
    """
    while len(_stores) >= _KEEP - 1:
        _stores.popleft().close()
    made = SqlAlchemyStockStore.open(server().fresh_database(), migrate=False)
    _stores.append(made)
    return made
