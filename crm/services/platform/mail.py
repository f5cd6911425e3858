"""Sending one e-mail over SMTP, from a URL such as smtp://user:password@host:587?starttls=1."""

import smtplib
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlparse

from crm.models import OutboxMessage


class MailError(Exception):
    """The mail URL is unusable."""


def build(sender: str, message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = sender, message.recipient, message.subject
    email["Message-ID"] = f"<outbox-{message.id}@crm-emploi-bfc>"
    email.set_content(message.body)
    return email


def send(url: str, sender: str, message: OutboxMessage) -> None:
    parts = urlparse(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise MailError(f"schéma de CRM_MAIL_URL non géré : {parts.scheme!r}")
    options = parse_qs(parts.query)
    smtp_class = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    default_port = 465 if parts.scheme == "smtps" else 25
    with smtp_class(parts.hostname or "", parts.port or default_port, timeout=20) as smtp:
        if options.get("starttls", ["0"])[0] in ("1", "true"):
            smtp.starttls()
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(build(sender, message))
