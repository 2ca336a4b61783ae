"""Shared fixtures: every storage test runs on SQLite and PostgreSQL, each on a clean database."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from smartcity.core import migrate
from smartcity.core.clock import FixedClock
from smartcity.core.db import Database
from smartcity.core.settings import load_settings
from smartcity.models import metadata
from smartcity.platform import Platform
from smartcity.security import service as security
from smartcity.security.principal import Principal
from smartcity.security.roles import Role, permissions_of
from smartcity.security.tokens import issue_token

for _name in [n for n in os.environ if n.startswith("SMARTCITY_")]:
    del os.environ[_name]  # the developer's own settings must not leak into tests

PG_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
SECRET = "test-signing-key-0123456789abcdef"
START = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)  # a Monday, 09:00 in Shanghai
TENANTS = {"shanghai": ("上海市", "Shanghai"), "suzhou": ("苏州市", "Suzhou")}


def _postgres_reachable() -> str | None:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=2):
            pass
        engine = create_engine(PG_ADMIN_URL)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any failure means "not usable here"
        return str(exc).splitlines()[0]
    return None


class PostgresServer:
    """Creates and drops the test databases on the local PostgreSQL server."""

    def __init__(self) -> None:
        self.admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    def create(self) -> str:
        name = f"smartcity_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with self.admin.connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    problem = _postgres_reachable()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required under CI and cannot be reached: {problem}")
        pytest.skip(f"PostgreSQL not reachable: {problem}")
    server = PostgresServer()
    yield server
    server.drop_all()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def empty_database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with nothing in it, for migration tests."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return request.getfixturevalue("postgres").create()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = Database(f"sqlite:///{path}")
    migrate.upgrade(db)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


@pytest.fixture(scope="session")
def migrated_postgres(postgres: PostgresServer) -> str:
    url = postgres.create()
    db = Database(url)
    migrate.upgrade(db)
    db.dispose()
    return url


def _truncate_postgres(url: str) -> None:
    engine = create_engine(url)
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))  # skips audit triggers
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A freshly migrated database with no rows."""
    if backend == "sqlite":
        path = tmp_path / "smartcity.db"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("migrated_postgres")
    _truncate_postgres(url)
    return url


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def platform(database_url: str, tmp_path: Path, clock: FixedClock) -> Iterator[Platform]:
    settings = load_settings(
        data_dir=tmp_path / "var",
        database_url=database_url,
        secret_key=SECRET,
        rate_limit="100000/minute",
        log_json=True,
    )
    platform = Platform.from_settings(settings, clock=clock)
    with platform.db.session() as session:
        for slug, (zh, en) in TENANTS.items():
            security.ensure_tenant(session, clock, slug=slug, name_zh=zh, name_en=en)
    yield platform
    platform.close()


@pytest.fixture
def session(platform: Platform) -> Iterator[Session]:
    s = platform.db.new_session()
    yield s
    s.rollback()
    s.close()


def tenant_id_of(platform: Platform, slug: str) -> int:
    with platform.db.session() as s:
        return security.get_tenant(s, slug=slug).id


@pytest.fixture
def tenant_id(platform: Platform) -> int:
    return tenant_id_of(platform, "shanghai")


@pytest.fixture
def principal_for(platform: Platform) -> Callable[..., Principal]:
    def make(role: str, tenant: str = "shanghai") -> Principal:
        r = Role(role)
        return Principal(
            tenant_id=tenant_id_of(platform, tenant),
            kind="user",
            name=f"test-{role}",
            permissions=permissions_of(r),
            role=r,
        )

    return make


@pytest.fixture
def admin(principal_for: Callable[..., Principal]) -> Principal:
    return principal_for("admin")


@pytest.fixture
def other_tenant_admin(principal_for: Callable[..., Principal]) -> Principal:
    return principal_for("admin", "suzhou")


@pytest.fixture
def client(platform: Platform) -> Iterator[TestClient]:
    from smartcity.web.app import create_app

    with TestClient(create_app(platform), raise_server_exceptions=False) as c:
        yield c


def make_user(platform: Platform, role: str, tenant: str = "shanghai", **extra: object) -> int:
    """A user of that role (handlers get a department), created through the service."""
    from smartcity.geo.models import Department

    with platform.db.session() as s:
        tenant_row = security.get_tenant(s, slug=tenant)
        actor = security.system_principal(tenant_row, "test")
        department_id = None
        if role == "handler":
            dept = Department(
                tenant_id=tenant_row.id,
                code=f"D{uuid.uuid4().hex[:6]}",
                name_zh="测试部门",
                name_en="Test department",
                kind="bureau",
            )
            s.add(dept)
            s.flush()
            department_id = dept.id
        user = security.create_user(
            s,
            platform.clock,
            actor,
            username=f"{role}-{uuid.uuid4().hex[:6]}",
            role=role,
            password="correct-horse-42",
            department_id=department_id,
            **extra,
        )
        return user.id


@pytest.fixture
def auth_headers(platform: Platform) -> Callable[..., dict[str, str]]:
    def make(role: str, tenant: str = "shanghai") -> dict[str, str]:
        user_id = make_user(platform, role, tenant)
        token, _ = issue_token(
            key=SECRET,
            user_id=user_id,
            tenant_id=tenant_id_of(platform, tenant),
            role=role,
            now=platform.clock.now(),
            ttl_minutes=60,
        )
        return {"Authorization": f"Bearer {token}"}

    return make


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_server(platform: Platform) -> Iterator[str]:
    """The real app in a real uvicorn server on a free loopback port."""
    import uvicorn

    from smartcity.web.app import create_app

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(platform), host="127.0.0.1", port=port, log_level="warning", access_log=False
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
