"""Session helpers shared by every domain."""

import functools
import hashlib
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from sqlalchemy import event, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

P = ParamSpec("P")
R = TypeVar("R")


def transactional(service: Callable[P, R]) -> Callable[P, R]:
    """Make a service one transaction: commit when it returns, roll back when it raises.

    The session is the service's first positional argument.
    """

    @functools.wraps(service)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        session = args[0]
        try:
            result = service(*args, **kwargs)
            session.commit()
        except BaseException:
            session.rollback()
            raise
        return result

    return wrapper


def configure_sqlite(engine: Engine) -> None:
    """WAL, a busy timeout and foreign keys for every SQLite connection."""

    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            # WAL lets pages read while a checkout writes; NORMAL sync is WAL's usual
            # partner: never corrupt, may lose the last commits on a power cut.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def serialize_on(session: Session, name: str) -> None:
    """Make the transactions that name `name` run one after the other, until commit.

    PostgreSQL: a transaction-scoped advisory lock. SQLite lets one transaction write at
    a time, so a caller that has written already holds the only lock there is; one that
    has not would count unprotected, which is refused here rather than left to chance.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    elif not connection.connection.dbapi_connection.in_transaction:
        raise RuntimeError("serialize_on needs a write first on SQLite")


def lock_row(session: Session, model: type, row_id: int) -> None:
    """Make the transactions that lock this row run one after the other, until commit.

    A row lock on PostgreSQL; SQLite ignores FOR UPDATE, but its callers run after a
    first write and so already hold the database's single write lock."""
    session.execute(select(model.id).where(model.id == row_id).with_for_update())


def add_once(session: Session, record: object) -> bool:
    """Add `record` and flush it; False (the transaction rolled back) when a row with the
    same key is there already: how an event delivered twice is recognised, even when both
    deliveries arrive at once."""
    session.add(record)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        return False
    return True
