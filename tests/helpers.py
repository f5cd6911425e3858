"""Helpers shared by the page tests: counting SQL statements, reading pages."""

import html
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from crm.extensions import db


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
