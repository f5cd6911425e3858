"""The `crm` command line: set-up, accounts and the worker. Reporting commands end with JSON."""

import json

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade

from crm.extensions import db
from crm.models import ApiScope, OrganisationKind, Role
from crm.services.accounts import users as accounts
from crm.services.platform import unit_of_work
from crm.services.routing import engine as routing
from crm.services.territory import reference


def split_codes(value: str | None) -> list[str]:
    return [code.strip() for code in (value or "").split(",") if code.strip()]


def echo_summary(summary: dict) -> None:
    click.echo(json.dumps(summary, ensure_ascii=False))


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Apply migrations and load the reference data (idempotent)."""
    upgrade()
    written = reference.load_reference_data()
    rules = routing.install_default_rules()
    unit_of_work.commit()
    echo_summary({"reference_rows_written": written, "routing_rules_created": rules,
                  "counts": reference.reference_counts()})


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Create the demo network, accounts and companies (idempotent); prints the accounts."""
    from crm.demo import seed as demo

    summary = demo.seed_demo()
    unit_of_work.commit()
    for account in summary.pop("accounts"):
        click.echo(f"{account['role']:<10} {account['email']:<45} {account['password']}")
    echo_summary(summary)


@click.command("create-organisation")
@click.argument("name")
@click.option("--kind", required=True, type=click.Choice([k.value for k in OrganisationKind]))
@click.option("--basins", help="Codes de bassins séparés par des virgules, ex. 2711,2704")
@click.option("--departements", help="Codes de départements séparés par des virgules, ex. 21,89")
@with_appcontext
def create_organisation_command(name, kind, basins, departements) -> None:
    """Create an organisation with its coverage."""
    from crm.models import Organisation

    try:
        organisation = accounts.save_organisation(
            Organisation(), name=name, kind=OrganisationKind(kind),
            basin_codes=split_codes(basins), department_codes=split_codes(departements),
        )
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from error
    unit_of_work.commit()
    echo_summary({"organisation": organisation.id, "name": organisation.name, "kind": kind})


@click.command("create-user")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--organisation", "organisation_name", required=True)
@click.option("--password", help="Sans mot de passe, la personne reçoit une invitation à le choisir "
              "(le lien est aussi affiché).")
@click.option("--name", help="Nom affiché (par défaut : la partie locale de l'adresse).")
@click.option("--basins", help="Bassins suivis, ex. 2711,2704")
@with_appcontext
def create_user_command(email, role, organisation_name, password, name, basins) -> None:
    """Create a user in an organisation. Without --password, the person is invited by e-mail to
    choose one, and the invitation link is printed (for a first administrator without mail)."""
    from crm.models import User
    from crm.services.accounts import recovery

    organisation = accounts.find_organisation(organisation_name)
    if organisation is None:
        raise click.ClickException(f"Organisation inconnue : {organisation_name}")
    try:
        user = accounts.save_user(
            User(), email=email, name=name or email.split("@")[0], role=Role(role),
            organisation=organisation, basin_codes=split_codes(basins), password=password,
        )
        invitation = recovery.invite(user) if password is None else None
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from error
    unit_of_work.commit()
    summary = {"user": user.id, "email": user.email, "role": role}
    if invitation:
        summary["invitation"] = invitation
    echo_summary(summary)


@click.command("api-token")
@click.argument("email")
@click.option("--name", default="Jeton créé en ligne de commande")
@click.option("--scope", "scopes", multiple=True, default=("needs",), show_default=True,
              type=click.Choice([scope.value for scope in ApiScope]),
              help="Portée du jeton, répétable : needs (besoins et suivi), "
                   "indicators (indicateurs agrégés).")
@with_appcontext
def api_token_command(email, name, scopes) -> None:
    """Create an API token for a user; the token is printed on the last line."""
    import sqlalchemy as sa

    from crm.models import User

    user = db.session.scalar(sa.select(User).where(User.email == accounts.normalise_email(email)))
    if user is None:
        raise click.ClickException(f"Utilisateur inconnu : {email}")
    try:
        token = accounts.issue_api_token(user, name, scopes=scopes)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from error
    unit_of_work.commit()
    click.echo(token)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Traiter les tâches en attente puis s'arrêter.")
@click.option("--no-cron", is_flag=True, help="Ne pas lancer les tâches périodiques.")
@with_appcontext
def worker_command(burst, no_cron) -> None:
    """Run an RQ worker on the default, mail and imports queues (with RQ's cron)."""
    from flask import current_app

    from jobs import worker

    worker.run(current_app._get_current_object(), burst=burst, cron=not no_cron)  # type: ignore[attr-defined]  # a LocalProxy


COMMANDS: tuple[click.Command, ...] = (
    init_command, seed_demo_command, create_organisation_command, create_user_command,
    api_token_command, worker_command)


def init_app(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)


def main() -> None:
    from crm import create_app

    FlaskGroup(create_app=create_app, help="CRM de prospection des employeurs (BFC)")()


@click.command("import-sirene")
@click.argument("establishments", type=click.Path(exists=True, dir_okay=False))
@click.option("--unites", type=click.Path(exists=True, dir_okay=False),
              help="Fichier StockUniteLegale (noms des unités légales).")
@click.option("--geoloc", type=click.Path(exists=True, dir_okay=False),
              help="Fichier de géolocalisation des établissements (séparé par des points-virgules).")
@with_appcontext
def import_sirene_command(establishments, unites, geoloc) -> None:
    """Import the region's establishments from a SIRENE stock file (CSV or zip); ends with JSON."""
    from pathlib import Path

    from crm.services.imports import sirene
    from jobs import derived

    try:
        summary = sirene.import_files(Path(establishments), unites and Path(unites),
                                      geoloc and Path(geoloc))
    except sirene.SireneError as error:
        raise click.ClickException(str(error)) from error
    derived.refresh_after_import()
    echo_summary(summary)


COMMANDS += (import_sirene_command,)


@click.command("check-counters")
@click.option("--repair", is_flag=True, help="Recalculer les compteurs des entreprises en écart.")
@with_appcontext
def check_counters_command(repair: bool) -> None:
    """Recompute every firm's open needs and last contact, and its ledger entries' previous
    contacts, and compare them with the stored ones; ends with JSON (the firms that differ, at
    most 100) and fails when some do."""
    from crm.services.companies import counters

    found = counters.differences()
    if repair and found:
        counters.refresh([difference.company_id for difference in found])
        unit_of_work.commit()
    echo_summary({"differences": len(found), "repaired": repair and bool(found), "companies": [
        {"id": row.company_id, "open_needs_count": [row.stored_open_needs, row.open_needs],
         "last_contact_at": [str(row.stored_last_contact), str(row.last_contact)],
         "wrong_ledger_entries": row.wrong_entries} for row in found]})
    if found and not repair:
        raise SystemExit(1)


@click.command("refresh-derived")
@with_appcontext
def refresh_derived_command() -> None:
    """Recompute the map's counts and the likely duplicate pairs now; ends with JSON."""
    from jobs import derived as derived_jobs

    echo_summary({"area_counts": derived_jobs.refresh_area_counts(),
                  "duplicate_pairs": derived_jobs.refresh_duplicate_pairs()})


COMMANDS += (check_counters_command, refresh_derived_command)


@click.command("generate-sirene")
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
@click.option("--rows", type=click.IntRange(min=1), default=300_000, show_default=True)
@click.option("--unites", type=click.Path(dir_okay=False, writable=True),
              help="Écrire aussi le fichier StockUniteLegale correspondant.")
@click.option("--seed", type=int, default=2026, show_default=True)
@with_appcontext
def generate_sirene_command(out, rows, unites, seed) -> None:
    """Write a realistic SIRENE stock file of the region for demonstrations; ends with JSON."""
    from pathlib import Path

    from crm.demo import sirene_stock

    echo_summary(sirene_stock.generate(Path(out), rows, unites and Path(unites), seed))


COMMANDS += (generate_sirene_command,)


@click.command("scores")
@click.argument("company_ids", nargs=-1, type=int)
@with_appcontext
def scores_command(company_ids) -> None:
    """Compute the likely-to-hire scores now (every firm, or the ids given); ends with JSON."""
    import time

    from jobs.scoring import refresh_scores

    started = time.perf_counter()
    stored = refresh_scores(list(company_ids) or None)
    echo_summary({"scores": stored, "seconds": round(time.perf_counter() - started, 1)})


COMMANDS += (scores_command,)


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option("--check", is_flag=True, help="Restaurer la sauvegarde dans une base neuve et comparer.")
@with_appcontext
def backup_command(path: str, check: bool) -> None:
    """Back the database up to PATH; with --check, restore it into a fresh database and compare
    every table's row count (exit 1 on a difference); ends with JSON."""
    from pathlib import Path

    from flask import current_app

    from crm.services.platform import backup

    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    if not check:
        backup.dump(url, Path(path))
        echo_summary({"backup": path})
        return
    result = backup.check_restore(url, Path(path))
    echo_summary({"backup": path, "tables": len(result.source), "rows": sum(result.source.values()),
                  "differences": result.differences})
    if result.differences:
        raise SystemExit(1)


COMMANDS += (backup_command,)
