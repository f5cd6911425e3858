"""Views of the routing rules and spotter indicators."""
from crm.blueprints.routing import bp  # noqa: F401
