"""Forms of the map pages: the filters of /carte (GET, works without JavaScript)."""

from typing import Any

import sqlalchemy as sa
from wtforms import BooleanField, SelectField

from crm.blueprints.forms import FilterForm, options
from crm.blueprints.maps.rendering import MapRequest
from crm.extensions import db
from crm.models import HeadcountBand, NafCode
from crm.services.accounts import users
from crm.services.territory import map_layers


def section_choices() -> list[tuple[str, str]]:
    query = sa.select(NafCode.section, NafCode.section_label).distinct().order_by(NafCode.section)
    return [(section, f"{section} – {label}") for section, label in db.session.execute(query)]


def band_choices() -> list[tuple[str, str]]:
    query = sa.select(HeadcountBand.code, HeadcountBand.label).order_by(HeadcountBand.code)
    return [(code, label) for code, label in db.session.execute(query)]


class MapFilterForm(FilterForm):
    indicator = SelectField("Couleur des bassins", default="establishments",
                            choices=options(map_layers.INDICATORS.items()))
    period = SelectField("Période des contacts", coerce=int, default=90,
                         choices=options(map_layers.PERIODS.items()))
    basin = SelectField("Bassin d'emploi", default="")
    naf_section = SelectField("Section NAF", default="")
    band = SelectField("Tranche d'effectif", default="")
    open_need = BooleanField("Avec un besoin de recrutement ouvert")
    rsa_pilot = BooleanField("Dans un territoire pilote RSA")

    def __init__(self, formdata):
        super().__init__(formdata)
        self.basin.choices = options([("", "Toute la région")], users.basin_choices())
        self.naf_section.choices = options([("", "Toutes les sections")], section_choices())
        self.band.choices = options([("", "Toutes les tranches")], band_choices())

    def filters(self) -> map_layers.MapFilters:
        return map_layers.MapFilters(basin=self.basin.data or "", band=self.band.data or "",
                                     naf_section=self.naf_section.data or "",
                                     open_need=bool(self.open_need.data),
                                     rsa_pilot=bool(self.rsa_pilot.data))

    def map_request(self) -> MapRequest:
        return MapRequest(self.filters(), self.indicator.data, self.period.data)

    def query_args(self) -> dict[str, Any]:
        """The firms' filters as query arguments (empty ones left out), for links and the data URL."""
        given = {"basin": self.basin.data, "naf_section": self.naf_section.data,
                 "band": self.band.data, "open_need": "1" if self.open_need.data else "",
                 "rsa_pilot": "1" if self.rsa_pilot.data else ""}
        return {name: value for name, value in given.items() if value}
