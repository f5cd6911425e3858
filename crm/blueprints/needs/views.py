"""Views of the needs pages."""
from crm.blueprints.needs import bp  # noqa: F401
