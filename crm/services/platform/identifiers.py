"""SIREN and SIRET: cleaning, validation (Luhn, La Poste exception) and construction."""

from stdnum import luhn
from stdnum.exceptions import ValidationError
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret


def clean_siret(value: str) -> str:
    """Digits of a SIRET as typed, spaces and dots removed."""
    return stdnum_siret.compact(value or "")


def siret_problem(value: str) -> str | None:
    """The French reason a SIRET is invalid, or None when it is valid."""
    digits = clean_siret(value)
    if not digits.isdigit() or len(digits) != 14:
        return "Le SIRET doit comporter 14 chiffres."
    try:
        stdnum_siret.validate(digits)
    except ValidationError:
        return "Ce SIRET n'est pas valide : vérifiez les chiffres saisis."
    return None


def siren_of(siret: str) -> str:
    return clean_siret(siret)[:9]


def build_siren(eight_digits: str) -> str:
    """A valid SIREN from its first eight digits."""
    return eight_digits + luhn.calc_check_digit(eight_digits)


def build_siret(siren: str, nic_four_digits: str) -> str:
    """A valid SIRET from a SIREN and the first four digits of the NIC."""
    stem = siren + nic_four_digits
    return stem + luhn.calc_check_digit(stem)


def siren_is_valid(value: str) -> bool:
    return stdnum_siren.is_valid(value)
