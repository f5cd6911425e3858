"""Contact details of people: e-mail addresses and French phone numbers, checked and shown."""

import phonenumbers
from email_validator import EmailNotValidError, validate_email


def normalise_phone(value: str) -> str | None:
    """A French phone number in E.164 form, or None when it is not a valid number."""
    try:
        number = phonenumbers.parse(value, "FR")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(value: str | None) -> str:
    """A stored phone number in the French national format, e.g. 03 80 12 34 56."""
    if not value:
        return ""
    number = phonenumbers.parse(value, "FR")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def normalise_email(value: str) -> str | None:
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        return None
