"""Refused: the one type of a request the domain will not honour. Its message is French and
user-facing; `field` names the form field it is about, `fields` maps several fields to their
messages. Views show it with `crm.blueprints.refusals.refusals`, the API answers it as JSON."""

INVALID_INPUT = "Certaines informations sont manquantes ou invalides."


class Refused(ValueError):
    """A request refused with a French message saying why; nothing it started is kept."""

    status = 422

    def __init__(self, message: str, field: str | None = None,
                 fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.fields = fields if fields is not None else ({field: [message]} if field else {})


class InvalidInput(Refused):
    """Input refused field by field: `fields` maps each field name to its French messages, the
    message sums them up."""

    def __init__(self, fields: dict[str, list[str]], message: str = INVALID_INPUT):
        super().__init__(message, fields=fields)
