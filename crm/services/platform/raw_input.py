"""Raw text sent to the CRM that no database can store: NUL characters and lone surrogates."""

from collections.abc import Iterable

UNSTORABLE = "Ce champ contient un caractère non autorisé (caractère nul ou invalide)."
REPLACEMENT = "\ufffd"


def unstorable(text: str) -> bool:
    """Whether the text holds a NUL character or a lone surrogate (PostgreSQL stores neither)."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def printable_name(name: str) -> str:
    """A field name fit for an error message: its unstorable characters replaced by U+FFFD."""
    if not unstorable(name):
        return name
    return "".join(REPLACEMENT if char == "\x00" or "\ud800" <= char <= "\udfff" else char
                   for char in name)


def unstorable_fields(payload: object) -> list[str]:
    """Dotted names (`contact.name`) of the fields of a JSON value whose name or text is unstorable."""
    found: set[str] = set()
    pending: list[tuple[str, object]] = [("", payload)]
    while pending:  # a loop rather than recursion: bodies may nest deeply
        name, value = pending.pop()
        if isinstance(value, str) and unstorable(value):
            found.add(name)
        elif isinstance(value, dict):
            for key, item in value.items():
                key = str(key)
                inner = f"{name}.{key}" if name else key
                if unstorable(key):
                    found.add(printable_name(inner))
                else:
                    pending.append((inner, item))
        elif isinstance(value, list):
            pending.extend((name, item) for item in value)
    return sorted(found)


def unstorable_parameters(parameters: Iterable[tuple[str, object]]) -> list[str]:
    """Names of the query or path parameters whose value is unstorable text."""
    return sorted({printable_name(name) for name, value in parameters
                   if isinstance(value, str) and (unstorable(value) or unstorable(name))})
