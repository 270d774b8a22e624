"""A PostgreSQL primary and a streaming replica of its own, for the read-replica tests.

Made under the machine's PostgreSQL 15 binaries in a temporary directory, on free ports:
`initdb` for the primary (wal_level=replica), `pg_basebackup -R` for the replica (with a
replication slot, so a stopped replica catches up when it starts again), both stopped with
`pg_ctl stop -m immediate` and removed afterwards. The machine's own cluster is never touched.
As root the servers run as the `postgres` OS user (PostgreSQL refuses to run as root).
"""

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.helpers import free_port

BIN = Path(os.environ.get("DEFCOOP_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
DATABASE = "defcoop"
SLOT = "defcoop_replica"


def _as_owner() -> list[str]:
    """The prefix that runs a command as the servers' OS user."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def missing() -> str | None:
    """Why no cluster can be made here, or None."""
    if not (BIN / "initdb").exists() or not (BIN / "pg_basebackup").exists():
        return f"no PostgreSQL binaries at {BIN} (set DEFCOOP_TEST_PG_BIN)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root, and there is no postgres OS user to run the servers as"
    return None


@dataclass
class Cluster:
    root: Path
    primary_port: int
    replica_port: int

    @property
    def primary_dir(self) -> Path:
        return self.root / "primary"

    @property
    def replica_dir(self) -> Path:
        return self.root / "replica"

    def url(self, port: int, database: str = DATABASE) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{port}/{database}"

    @property
    def primary_url(self) -> str:
        return self.url(self.primary_port)

    @property
    def replica_url(self) -> str:
        return self.url(self.replica_port)

    def run(self, *args: str) -> None:
        subprocess.run(
            [*_as_owner(), *args], check=True, capture_output=True, text=True, timeout=120
        )

    def start(self, directory: Path) -> None:
        log = self.root / f"{directory.name}.log"
        self.run(str(BIN / "pg_ctl"), "-D", str(directory), "-l", str(log), "-w", "start")

    def stop(self, directory: Path) -> None:
        self.run(str(BIN / "pg_ctl"), "-D", str(directory), "-m", "immediate", "-w", "stop")

    def stop_replica(self) -> None:
        self.stop(self.replica_dir)

    def start_replica(self) -> None:
        self.start(self.replica_dir)
        self.wait_streaming()

    def is_running(self, directory: Path) -> bool:
        status = subprocess.run(
            [*_as_owner(), str(BIN / "pg_ctl"), "-D", str(directory), "status"],
            capture_output=True,
            timeout=30,
        )
        return status.returncode == 0

    def wait_replayed(self, within_s: float = 30) -> None:
        """Until the replica has replayed everything the primary has written so far."""
        primary = create_engine(self.primary_url)
        try:
            with primary.connect() as conn:
                target = conn.execute(text("SELECT pg_current_wal_lsn()")).scalar()
        finally:
            primary.dispose()
        deadline = time.monotonic() + within_s
        while not self.replica_sql(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"):
            if time.monotonic() > deadline:
                raise RuntimeError(f"the replica did not replay {target} within {within_s} s")
            time.sleep(0.05)

    def replica_sql(self, statement: str) -> object:
        """One statement on the replica's own database (pg_wal_replay_pause(), ...)."""
        engine = create_engine(self.replica_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                return conn.execute(text(statement)).scalar()
        finally:
            engine.dispose()

    def wait_streaming(self, within_s: float = 30) -> None:
        """Until the primary sees the replica streaming and the replica answers queries."""
        primary = create_engine(self.url(self.primary_port, "postgres"))
        replica = create_engine(self.url(self.replica_port, "postgres"))
        deadline = time.monotonic() + within_s
        try:
            while True:
                try:
                    with primary.connect() as conn:
                        streaming = conn.execute(
                            text(
                                "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'"
                            )
                        ).scalar()
                    with replica.connect() as conn:
                        standby = conn.execute(text("SELECT pg_is_in_recovery()")).scalar()
                    if streaming and standby:
                        return
                except Exception:  # not up yet
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the replica did not stream within {within_s} s")
                time.sleep(0.1)
        finally:
            primary.dispose()
            replica.dispose()


PRIMARY_CONF = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{root}'
wal_level = replica
max_wal_senders = 5
max_replication_slots = 5
hot_standby = on
hot_standby_feedback = on
wal_receiver_status_interval = 1
fsync = off
full_page_writes = off
shared_buffers = 32MB
max_connections = 60
"""


@contextmanager
def cluster() -> Iterator[Cluster]:
    """A running primary with a database `defcoop` and a replica streaming from it."""
    root = Path(tempfile.mkdtemp(prefix="defcoop-pg-"))
    if os.geteuid() == 0:
        os.chown(root, pwd.getpwnam("postgres").pw_uid, pwd.getpwnam("postgres").pw_gid)
    made = Cluster(root=root, primary_port=free_port(), replica_port=free_port())
    started: list[Path] = []
    try:
        made.run(
            str(BIN / "initdb"),
            "-D",
            str(made.primary_dir),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        conf = PRIMARY_CONF.format(port=made.primary_port, root=root)
        _append(made, made.primary_dir / "postgresql.conf", conf)
        made.start(made.primary_dir)
        started.append(made.primary_dir)
        admin = create_engine(made.url(made.primary_port, "postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{DATABASE}"'))
        admin.dispose()
        made.run(
            str(BIN / "pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(made.primary_port),
            "-U",
            "postgres",
            "-D",
            str(made.replica_dir),
            "-R",
            "-X",
            "stream",
            "-C",
            "-S",
            SLOT,
            "--checkpoint=fast",  # a spread checkpoint would take minutes to start the copy
            "--no-sync",
        )
        _append(made, made.replica_dir / "postgresql.conf", f"\nport = {made.replica_port}\n")
        made.start(made.replica_dir)
        started.append(made.replica_dir)
        made.wait_streaming()
        yield made
    finally:
        for directory in reversed(started):
            with suppress(subprocess.CalledProcessError):  # a test left it stopped
                made.stop(directory)
        shutil.rmtree(root, ignore_errors=True)


def _append(made: Cluster, path: Path, lines: str) -> None:
    """Append to a file the servers' user owns (as root, through that user)."""
    made.run("sh", "-c", f"cat >> '{path}' <<'EOF'\n{lines}\nEOF")


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """The primary and its streaming replica, for the whole run (migrated by who uses it)."""
    reason = missing()
    if reason:
        pytest.skip(reason)
    with cluster() as made:
        yield made
