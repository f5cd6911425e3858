"""The committee indicators through the API: aggregates only (no names), for managers and admins
signed in, and the tokens with the "indicators" scope of managers, admins and partners; 422 in
French for a bad level, code or date. The levels are the areas (region, département, basin, RSA
pilot territory by its id): an adviser's figures are a person's, read on the dashboard only."""

from flask import jsonify, request

from crm.blueprints.api import bp
from crm.blueprints.api.auth import api_token, api_user
from crm.blueprints.api.errors import ApiError
from crm.services.accounts import access
from crm.services.indicators import aggregates, figures, scope
from crm.services.indicators.figures import Figure
from crm.services.platform.local_time import local_today

NOT_A_READER = ("Seuls les responsables, les administrateurs et les partenaires munis d'un jeton "
                "« Indicateurs » lisent les indicateurs.")


def number(figure: Figure) -> float | None:
    return figure.value if figure.available else None


def indicators_payload(board: figures.Dashboard) -> dict:
    return {
        "level": board.scope.level.value, "code": board.scope.code,
        "from": board.period.start.isoformat(), "to": board.period.end.isoformat(),
        "indicators": [{"key": row.definition.key, "label": row.definition.label,
                        "unit": row.definition.unit, "value": number(row.current),
                        "previous": number(row.previous), "available": row.current.available}
                       for row in board.rows],
    }


@bp.get("/indicators")
def indicators():
    """The indicators of a territory over a period (the last twelve months by default)."""
    user = api_user()
    reader = (access.is_supervisor(user) if api_token() is None
              else access.reads_indicators_with_token(user))
    if not reader:
        raise ApiError(403, NOT_A_READER)
    chosen = scope.parse_scope(request.args.get("level"), request.args.get("code"),
                               levels=scope.AREA_LEVELS)
    default = scope.default_period(local_today())
    period = scope.parse_period(request.args.get("from") or default.start,
                                request.args.get("to") or default.end)
    stored = aggregates.stored(chosen, period)  # computed by the nightly job, else live
    board = stored.board if stored else figures.dashboard(chosen, period, year_before=False)
    return jsonify(indicators_payload(board))
