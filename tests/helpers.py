"""Helpers shared by the tests: reference rows, counting rows and SQL statements, reading pages."""

import html
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import sqlalchemy as sa

from crm import models as m
from crm.extensions import db


def basin(code: str = "2711") -> m.Basin:
    """A basin of the reference data (Dijon by default)."""
    return db.session.get(m.Basin, code)


def dijon() -> m.Basin:
    return basin("2711")


def department(code: str) -> m.Department:
    return db.session.get(m.Department, code)


def count(model) -> int:
    """How many rows the model's table holds."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@contextmanager
def count_queries() -> Iterator[list[str]]:
    """Collect the SQL statements run inside the block."""
    statements: list[str] = []

    def collect(_conn, _cursor, statement, _params, _context, _many):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", collect)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", collect)


def queries_for(client, url: str) -> int:
    """Statements run by one GET, after a warm-up request (session reload, token last use)."""
    client.get(url)
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def assert_constant_queries(client, url: str, add_rows: Callable[[int], object]) -> None:
    """The page runs as many queries with 3 rows as with 30."""
    add_rows(3)
    few = queries_for(client, url)
    add_rows(27)
    assert queries_for(client, url) == few


def page_text(response) -> str:
    """A response's HTML with entities decoded, as a person reads it."""
    return html.unescape(response.get_data(as_text=True))


def text_of(client, url: str, status: int = 200) -> str:
    """The text of the page a GET gives, checking its status code."""
    response = client.get(url)
    assert response.status_code == status
    return page_text(response)


def in_parallel(app, count: int, send: Callable[[object, int], object]) -> list:
    """Run `send(client, i)` for i in range(count) in `count` threads released together, each with
    its own application context, test client and database session, as concurrent requests are;
    returns their results in the order of i."""
    barrier = threading.Barrier(count)

    def one(index: int):
        with app.app_context():
            client = app.test_client()
            barrier.wait()
            try:
                return send(client, index)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))
