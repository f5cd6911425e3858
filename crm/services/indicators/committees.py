"""The Comités France Travail: one committee per area (the region, a département, a basin) with
its name, its members' e-mail addresses and its reports' schedule, and who may manage it: admins
every committee, managers those of their area (the basins they follow, and the départements where
one of them lies); the region's committee is the admins'."""

import re

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from crm.extensions import db
from crm.models import Committee, CommitteeLevel, Commune, Role, User
from crm.models.committee import MAX_MEMBERS, NAME_LENGTH
from crm.services.accounts import access
from crm.services.indicators import schedules, scope
from crm.services.indicators.scope import Scope
from crm.services.platform import audit
from crm.services.platform.contact_details import normalise_email
from crm.services.platform.refusals import InvalidInput, Refused

SEPARATORS = re.compile(r"[\s,;]+")
NOT_YOURS = ("Ce territoire n'est pas dans votre périmètre : seuls ses responsables et les "
             "administrateurs gèrent son comité.")


def manager_area(user: User) -> tuple[set[str], set[str]]:
    """The basins a manager follows and the départements where one of them lies."""
    basins = {basin.code for basin in user.basins}
    departments = set(db.session.scalars(sa.select(Commune.department_code).distinct().where(
        Commune.basin_code.in_(basins)))) if basins else set()
    return basins, departments


def can_manage(user: User, level: str, code: str) -> bool:
    """Whether the user may manage the committee of this area and ask for its reports."""
    if access.is_admin(user):
        return True
    if user.role != Role.MANAGER or level == CommitteeLevel.REGION:
        return False
    basins, departments = manager_area(user)
    return code in (basins if level == CommitteeLevel.BASIN else departments)


def managed_condition(user: User) -> ColumnElement[bool]:
    """SQL condition: the committees the user may manage."""
    if access.is_admin(user):
        return sa.true()
    if user.role != Role.MANAGER:
        return sa.false()
    basins, departments = manager_area(user)
    return sa.or_(sa.and_(Committee.level == CommitteeLevel.BASIN, Committee.code.in_(basins)),
                  sa.and_(Committee.level == CommitteeLevel.DEPARTEMENT,
                          Committee.code.in_(departments)))


def committees_of(user: User) -> sa.Select:
    """The committees the user manages: region, then départements, then basins, by code."""
    order = sa.case({CommitteeLevel.REGION.value: 0, CommitteeLevel.DEPARTEMENT.value: 1},
                    value=Committee.level, else_=2)
    return (sa.select(Committee).where(managed_condition(user))
            .order_by(order, Committee.code, Committee.id))


def committee_for(user: User, committee_id: int) -> Committee | None:
    """The committee if the user manages it (None for another one, as if it did not exist)."""
    return db.session.scalar(sa.select(Committee).where(Committee.id == committee_id,
                                                        managed_condition(user)))


def parse_members(text: str) -> list[str]:
    """E-mail addresses separated by line breaks, commas, semicolons or spaces: each checked
    (`email-validator`), in lower case, once, in the order typed; refused in French naming the
    addresses at fault."""
    found: list[str] = []
    wrong: list[str] = []
    for item in SEPARATORS.split(text or ""):
        if not item:
            continue
        address = normalise_email(item)
        if address is None:
            wrong.append(item[:80])
        elif address.lower() not in found:
            found.append(address.lower())
    if wrong:
        listed = ", ".join(f"« {item} »" for item in wrong[:5])
        raise InvalidInput({"members": [
            f"Adresse e-mail invalide : {listed}." if len(wrong) == 1
            else f"Adresses e-mail invalides : {listed}{' …' if len(wrong) > 5 else ''}."]})
    if len(found) > MAX_MEMBERS:
        raise InvalidInput({"members": [f"Un comité compte au plus {MAX_MEMBERS} membres "
                                        f"({len(found)} adresses saisies)."]})
    return found


def checked_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput({"name": ["Indiquez le nom du comité."]})
    if len(name) > NAME_LENGTH:
        raise InvalidInput({"name": [f"Le nom du comité compte au plus {NAME_LENGTH} caractères."]})
    return name


def committee_scope(committee: Committee) -> Scope:
    """The committee's area as the indicators compute it."""
    return scope.parse_scope(committee.level.value, committee.code)


def create_committee(user: User, level: str, code: str, name: str, members: str) -> Committee:
    """A new committee for an area the user manages; one committee per area."""
    area = scope.parse_scope(level, code)
    name, addresses = checked_name(name), parse_members(members)
    if not can_manage(user, area.level.value, area.code):
        raise Refused(NOT_YOURS, "code")
    taken = db.session.scalar(sa.select(Committee.id).where(
        Committee.level == CommitteeLevel(area.level.value), Committee.code == area.code))
    if taken is not None:
        raise Refused(f"Ce territoire a déjà son comité ({area.label}) : modifiez-le.", "code")
    committee = Committee(level=CommitteeLevel(area.level.value), code=area.code, name=name,
                          members=addresses, created_by=user)
    db.session.add(committee)
    db.session.flush()
    audit.record(user, "create_committee", committee,
                 {"level": area.level.value, "code": area.code, "name": name,
                  "members": len(addresses)})
    return committee


def update_committee(user: User, committee: Committee, name: str, members: str,
                     schedule: str | None = None, day: str | int | None = None,
                     mail: bool = False) -> None:
    """Rename the committee, replace its members' list and, when given, set its reports' schedule
    (`schedules.checked_schedule`); the audit keeps who was added and removed and the schedule
    before and after."""
    if not can_manage(user, committee.level, committee.code):
        raise Refused(NOT_YOURS)
    name, addresses = checked_name(name), parse_members(members)
    chosen = (schedules.checked_schedule(schedule, day, mail, addresses) if schedule is not None
              else (committee.schedule, committee.schedule_day, committee.schedule_mail))
    added = [address for address in addresses if address not in committee.members]
    removed = [address for address in committee.members if address not in addresses]
    changes: dict[str, object] = {}
    if name != committee.name:
        changes["name"] = [committee.name, name]
    if added:
        changes["members_added"] = added
    if removed:
        changes["members_removed"] = removed
    before = schedules.schedule_label(committee)
    committee.name, committee.members = name, addresses
    committee.schedule, committee.schedule_day, committee.schedule_mail = chosen
    if schedules.schedule_label(committee) != before:
        changes["schedule"] = [before, schedules.schedule_label(committee)]
    if changes:
        audit.record(user, "update_committee", committee, changes)
