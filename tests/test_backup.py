"""A backup restores: `crm backup --check` dumps the database, restores it into a fresh one and
finds the same rows in every table (issue 15, operations)."""

import json

from crm.extensions import db
from crm.services.platform import backup
from tests import factories as f


def test_a_backup_restores_every_row_into_a_fresh_database(app, tmp_path):
    f.HiringNeedFactory.create_batch(3)
    db.session.commit()

    check = backup.check_restore(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "backup.dump")

    assert check.differences == {}
    assert check.restored["hiring_needs"] == 3
    assert check.restored["communes"] > 3000  # the reference data came along
    assert check.restored["alembic_version"] == 1
    assert (tmp_path / "backup.dump").stat().st_size > 0


def test_the_command_says_what_it_restored(runner, tmp_path):
    f.CompanyFactory()
    db.session.commit()
    result = runner.invoke(args=["backup", "--check", str(tmp_path / "backup.dump")])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["differences"] == {} and summary["rows"] > 3000


def test_a_restore_missing_rows_is_reported():
    check = backup.RestoreCheck({"companies": 2, "hiring_needs": 1}, {"companies": 2})
    assert check.differences == {"hiring_needs": (1, None)}
