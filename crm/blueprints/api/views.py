"""Views of the partner API v1."""
from crm.blueprints.api import bp  # noqa: F401
