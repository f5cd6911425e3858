"""Saved views: a user's named list filters, optionally shared with their organisation."""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.models import SavedView, User
from crm.services.platform.refusals import Refused

NAME_TAKEN = "Vous avez déjà une vue nommée « {} » : choisissez un autre nom."
NAME_MISSING = "Donnez un nom à la vue."


class SavedViewError(Refused):
    """A refused change to a saved view, with a French message about its name."""


def views_for(user: User, page: str) -> list[SavedView]:
    """The user's own views of the page, then those shared with their organisation, by name."""
    shared = sa.and_(SavedView.shared, SavedView.organisation_id == user.organisation_id)
    query = (sa.select(SavedView)
             .where(SavedView.page == page, sa.or_(SavedView.user_id == user.id, shared))
             .options(joinedload(SavedView.user))
             .order_by(SavedView.user_id != user.id, SavedView.name, SavedView.id))
    return list(db.session.scalars(query))


def visible_view(user: User, view_id: int, page: str) -> SavedView | None:
    """One of the user's views or a view shared with their organisation; None otherwise."""
    view = db.session.get(SavedView, view_id)
    if view is None or view.page != page:
        return None
    mine = view.user_id == user.id
    shared = view.shared and view.organisation_id == user.organisation_id
    return view if mine or shared else None


def own_view(user: User, view_id: int, page: str) -> SavedView | None:
    """One of the user's own views (the only ones they may rename or delete)."""
    view = visible_view(user, view_id, page)
    return view if view is not None and view.user_id == user.id else None


def name_taken(user: User, page: str, name: str, except_id: int | None = None) -> bool:
    query = sa.select(SavedView.id).where(SavedView.user_id == user.id, SavedView.page == page,
                                          SavedView.name == name, SavedView.id != (except_id or 0))
    return db.session.scalar(query) is not None


def checked_name(user: User, page: str, name: str, except_id: int | None = None) -> str:
    """The name trimmed; refused when empty or already one of the user's views of the page."""
    name = " ".join(name.split())
    if not name:
        raise SavedViewError(NAME_MISSING, "name")
    if name_taken(user, page, name, except_id):
        raise SavedViewError(NAME_TAKEN.format(name), "name")
    return name


def save_view(user: User, page: str, name: str, filters: dict, shared: bool) -> SavedView:
    """Keep the filters under a name; shared views are listed to the user's organisation."""
    view = SavedView(user_id=user.id, organisation_id=user.organisation_id, page=page,
                     name=checked_name(user, page, name), filters=filters, shared=shared)
    db.session.add(view)
    db.session.flush()
    return view


def rename_view(view: SavedView, name: str, shared: bool) -> None:
    view.name = checked_name(view.user, view.page, name, except_id=view.id)
    view.shared = shared


def delete_view(view: SavedView) -> None:
    db.session.delete(view)
