"""French wording helpers shared by pages and e-mails."""


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """A count with its noun agreed in French: "0 poste", "1 poste", "2 postes", "3 travaux"."""
    word = singular if abs(count) < 2 else (plural_form or singular + "s")
    return f"{count:,}".replace(",", "\u202f") + f" {word}"
