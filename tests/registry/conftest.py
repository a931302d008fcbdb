# SPDX-License-Identifier: Apache-2.0
"""Registry tests run against SQLite and against a real PostgreSQL started for the session.

The server is initdb'd into a temporary directory and listens on 127.0.0.1 on a free port; as
root, initdb and pg_ctl run as the ``postgres`` user (initdb refuses root). Each test gets its
own schema, so tests never see each other's rows. Only missing binaries skip the PostgreSQL leg.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from cardkit.registry.store import open_store


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_pg_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@pytest.fixture(scope="session")
def postgres_server():
    """Base DSN of a throw-away PostgreSQL server (stopped and deleted at the end)."""
    bindir = _pg_bin()
    if bindir is None:
        pytest.fail("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: run scripts/setup.sh "
                    "(a test that stops running must fail, not skip)")
    base = Path(tempfile.mkdtemp(prefix="cardkit-pg-"))
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(sock, "postgres")
    port = _free_port()
    run = dict(check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    subprocess.run(_as_pg_user([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                                "-E", "UTF8", "--locale=C", "--no-sync"]), **run)
    opts = f"-c listen_addresses=127.0.0.1 -p {port} -k {sock} -c fsync=off -c full_page_writes=off"
    subprocess.run(_as_pg_user([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w",
                                "-o", opts, "start"]), **run)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_pg_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(base, ignore_errors=True)


_schemas = itertools.count(1)


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    """A fresh, empty store URL on each backend (a new file, or a new PostgreSQL schema)."""
    if request.param == "sqlite":
        return str(tmp_path / "registry.sqlite3")
    base = request.getfixturevalue("postgres_server")
    schema = f"t{next(_schemas)}_{os.getpid()}"
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return f"{base}?options=-csearch_path%3D{schema}"


@pytest.fixture
def store(db_url):
    with open_store(db_url) as s:
        yield s
