"""Views of the public recruitment request form and tracking page."""
from crm.blueprints.public import bp  # noqa: F401
