"""French wording helpers shared by pages and e-mails."""

import unicodedata


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """A count with its noun agreed in French: "0 poste", "1 poste", "2 postes", "3 travaux"."""
    word = singular if abs(count) < 2 else (plural_form or singular + "s")
    return f"{count:,}".replace(",", "\u202f") + f" {word}"


def alphabetical(text: str) -> tuple[str, str]:
    """Sort key in French alphabetical order: accents and case count only to break ties, so that
    "Mâcon" sorts before "Montbéliard" and "Écuisses" with the E's."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return plain.casefold(), text


def sentence_case(text: str) -> str:
    """A label written in capitals (NAF sections) as a sentence: first letter only."""
    return text[:1].upper() + text[1:].lower()


class _WithoutCombining(dict):
    """`str.translate` table dropping combining characters, filled as characters are met."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


WITHOUT_COMBINING = _WithoutCombining()


def normalise_name(name: str) -> str:
    """Lower case without accents or repeated spaces, the form names are searched in."""
    if name.isascii():
        return " ".join(name.lower().split())
    plain = unicodedata.normalize("NFKD", name).translate(WITHOUT_COMBINING)
    return " ".join(plain.lower().split())
