"""The legal pages linked from every footer: legal notice, personal data, accessibility."""

from flask import render_template

from crm.blueprints.public import bp
from crm.services.platform import legal


@bp.get("/mentions-legales")
def legal_notice():
    """Who publishes and hosts the service."""
    return render_template("public/legal_notice.html", operator=legal.operator())


@bp.get("/donnees-personnelles")
def personal_data():
    """What personal data the service processes, why, for how long, and the people's rights."""
    return render_template("public/personal_data.html", operator=legal.operator(),
                           retention=legal.retention(), tiles_host=legal.map_tiles_host())


@bp.get("/accessibilite")
def accessibility():
    """The accessibility statement (RGAA)."""
    return render_template("public/accessibility.html", operator=legal.operator(),
                           rgaa_version=legal.RGAA_VERSION, state=legal.ACCESSIBILITY_STATE,
                           statement_date=legal.STATEMENT_DATE)
