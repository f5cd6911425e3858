"""Business rules as plain typed functions; no request or form objects here."""
