"""PostgreSQL for the coordinators' Prefect server (`make server DB=postgres`): a cluster of the
project's own, in a folder beside the server's state, on 127.0.0.1 only, with a role and a
database for Prefect and `pg_trgm` enabled, as Prefect's documentation asks.

SQLite stays the default on one machine; Prefect rules it out for several workers (database
locking). The cluster runs as the `postgres` user when the command runs as root (PostgreSQL
refuses to run as root), otherwise as the user. It is started with the server and stopped with
it, so nothing is left running.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import PipelineError

# Prefect's server needs PostgreSQL 14.9 or later.
MINIMUM_VERSION = (14, 9)
# Where Prefect's server reads its database from; given, the project's cluster is not started.
CONNECTION_URL = "PREFECT_SERVER_DATABASE_CONNECTION_URL"
ROLE = DATABASE = "prefect"
_BINARIES = Path("/usr/lib/postgresql")


@dataclass(frozen=True)
class Cluster:
    folder: Path  # data/ (the cluster), password, log
    port: int

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def log(self) -> Path:
        return self.folder / "postgres.log"

    @property
    def password_file(self) -> Path:
        return self.folder / "password"

    def connection_url(self) -> str:
        password = self.password_file.read_text().strip()
        return f"postgresql+asyncpg://{ROLE}:{password}@127.0.0.1:{self.port}/{DATABASE}"

    def start(self) -> str:
        """Create the cluster if there is none, start it, and make Prefect's role and database;
        the connection URL for PREFECT_SERVER_DATABASE_CONNECTION_URL."""
        binaries = binaries_folder()
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            self._reachable_by_postgres()
        if not (self.data / "PG_VERSION").is_file():
            self._create(binaries)
        self._as_owner(
            [
                str(binaries / "pg_ctl"),
                "--pgdata",
                str(self.data),
                "--log",
                str(self.log),
                "--wait",
                "--options",
                f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.folder}",
                "start",
            ]
        )
        password = self.password_file.read_text().strip()
        self.sql(binaries, "postgres", _role_sql(password))
        exists = self.sql(binaries, "postgres", f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'")
        if not exists.strip():
            self.sql(binaries, "postgres", f"CREATE DATABASE {DATABASE} OWNER {ROLE}")
        self.sql(binaries, DATABASE, "CREATE EXTENSION IF NOT EXISTS pg_trgm")
        return self.connection_url()

    def stop(self) -> None:
        if (self.data / "postmaster.pid").is_file():
            command = [
                str(binaries_folder() / "pg_ctl"),
                "--pgdata",
                str(self.data),
                "--mode",
                "fast",
                "--wait",
                "stop",
            ]
            self._as_owner(command)

    def running(self) -> bool:
        command = _as_owner_command([str(binaries_folder() / "pg_ctl"), "--pgdata", str(self.data), "status"])
        return subprocess.run(command, capture_output=True, text=True, check=False, cwd="/").returncode == 0

    def _reachable_by_postgres(self) -> None:
        """As root the cluster runs as the postgres user, who must pass through every folder above
        it. The server's own folder (made 0700 by a server on SQLite) is opened to passing through,
        not to reading; any other folder that bars the way is named."""
        home = self.folder.parent
        for folder in [*reversed(self.folder.resolve().parents)]:
            mode = folder.stat().st_mode
            if mode & stat.S_IXOTH:
                continue
            if folder == home.resolve():
                folder.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)
                continue
            raise PipelineError(
                f"PostgreSQL runs as the postgres user, who cannot reach {self.folder}: {folder} lets no other user"
                f" pass through. Allow it (chmod o+x {folder}), or keep the server's state elsewhere (PREFECT_HOME)"
            )

    def _create(self, binaries: Path) -> None:
        self.password_file.write_text(secrets.token_urlsafe(24) + "\n")
        self.password_file.chmod(0o600)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
            shutil.chown(self.password_file, "postgres", "postgres")
        # Local connections (the socket in the cluster's folder) as its owner; TCP on loopback with a password.
        self._as_owner(
            [
                str(binaries / "initdb"),
                "--pgdata",
                str(self.data),
                "--auth-local=peer",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ]
        )

    def sql(self, binaries: Path, database: str, statement: str) -> str:
        """Run one statement as the cluster's owner, through its socket; what it printed."""
        command = [str(binaries / "psql"), "--host", str(self.folder), "--port", str(self.port)]
        command += ["--dbname", database, "--no-psqlrc", "--tuples-only", "--no-align", "--command", statement]
        return self._as_owner(command)

    def _as_owner(self, command: list[str]) -> str:
        result = subprocess.run(_as_owner_command(command), capture_output=True, text=True, check=False, cwd="/")
        if result.returncode != 0:
            program = Path(command[0]).name
            action = f" {command[-1]}" if program == "pg_ctl" else ""  # start, stop: pg_ctl's command comes last
            raise PipelineError(f"PostgreSQL: {program}{action} failed: {(result.stderr or result.stdout).strip()}")
        return result.stdout


def _as_owner_command(command: list[str]) -> list[str]:
    """PostgreSQL's programs refuse root: as root, run them as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _role_sql(password: str) -> str:
    quoted = password.replace("'", "''")
    return (
        "DO $$ BEGIN "
        f"IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ROLE}') THEN CREATE ROLE {ROLE} LOGIN; END IF; "
        f"ALTER ROLE {ROLE} PASSWORD '{quoted}'; END $$"
    )


def binaries_folder() -> Path:
    """The newest installed PostgreSQL's programs, once its version is checked."""
    versions = sorted(
        (folder for folder in _BINARIES.glob("*/bin") if (folder / "postgres").is_file()),
        key=lambda folder: int(folder.parent.name) if folder.parent.name.isdigit() else 0,
    )
    if not versions:
        raise PipelineError("PostgreSQL is not installed: make server DB=postgres installs Debian's postgresql")
    binaries = versions[-1]
    said = subprocess.run([str(binaries / "postgres"), "--version"], capture_output=True, text=True, check=True).stdout
    found = re.search(r"(\d+)\.(\d+)", said)
    version = (int(found[1]), int(found[2])) if found else (0, 0)
    if version < MINIMUM_VERSION:
        raise PipelineError(
            f"PostgreSQL {version[0]}.{version[1]} is installed; Prefect's server needs "
            f"{MINIMUM_VERSION[0]}.{MINIMUM_VERSION[1]} or later"
        )
    return binaries


def shown(url: str) -> str:
    """A connection URL with its password left out, to print."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:…@", url)


def check_server(url: str) -> None:
    """An operator's own PostgreSQL, before Prefect is pointed at it: reachable, 14.9 or later, and
    with pg_trgm in its database (enabled here if the user may; else the error says who must)."""
    if not url.startswith(("postgresql+asyncpg://", "postgresql://")):
        raise PipelineError(
            f"{shown(url)} is not a PostgreSQL URL: write postgresql+asyncpg://user:password@host:port/database"
        )
    asyncio.run(_check(url.replace("postgresql+asyncpg://", "postgresql://", 1)))


async def _check(dsn: str) -> None:
    import asyncpg

    try:
        connection = await asyncpg.connect(dsn, timeout=10)
    except (TimeoutError, OSError, asyncpg.PostgresError) as error:
        raise PipelineError(f"PostgreSQL at {shown(dsn)}: cannot connect: {error}") from None
    try:
        number = int(await connection.fetchval("SHOW server_version_num"))
        version = (number // 10000, number % 10000)
        if version < MINIMUM_VERSION:
            raise PipelineError(
                f"PostgreSQL at {shown(dsn)} is {version[0]}.{version[1]}; Prefect's server needs "
                f"{MINIMUM_VERSION[0]}.{MINIMUM_VERSION[1]} or later"
            )
        if not await connection.fetchval("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'"):
            try:
                await connection.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            except asyncpg.PostgresError as error:
                database = await connection.fetchval("SELECT current_database()")
                raise PipelineError(
                    f"PostgreSQL at {shown(dsn)}: Prefect's server needs pg_trgm, which database {database} lacks,"
                    f" and this user cannot enable it ({error}): ask its administrator to run CREATE EXTENSION"
                    f" pg_trgm in {database}"
                ) from None
    finally:
        await connection.close()
