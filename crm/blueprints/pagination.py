"""Paginated lists: one page of a select() with the configured page size."""

import sqlalchemy as sa
from flask import current_app
from flask_sqlalchemy.pagination import Pagination

from crm.extensions import db


def paginate(query: sa.Select) -> Pagination:
    """The page asked for in ?page= (404 past the end), PAGE_SIZE rows per page."""
    size = current_app.config["PAGE_SIZE"]
    return db.paginate(query, per_page=size, max_per_page=size)
