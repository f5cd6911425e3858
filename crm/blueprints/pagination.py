"""Paginated lists: one page of a select() with the configured page size."""

import sqlalchemy as sa
from flask import current_app
from flask_sqlalchemy.pagination import Pagination, SelectPagination

from crm.extensions import db


def paginate(query: sa.Select) -> Pagination:
    """The page asked for in ?page= (404 past the end), PAGE_SIZE rows per page."""
    size = current_app.config["PAGE_SIZE"]
    return db.paginate(query, per_page=size, max_per_page=size)


class RowPagination(SelectPagination):
    """A page of rows of several columns (an entity with derived values), not only scalars."""

    def _query_items(self) -> list:
        query = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(query).unique().all())


def paginate_rows(query: sa.Select) -> Pagination:
    """Like `paginate`, for a select of several columns: the items are rows."""
    size = current_app.config["PAGE_SIZE"]
    return RowPagination(select=query, session=db.session(), per_page=size, max_per_page=size)
