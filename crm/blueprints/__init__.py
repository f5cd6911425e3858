"""One package per feature: views.py (thin), forms.py, templates under crm/templates/<name>/."""

from flask import g, request

from crm.services.platform.links import REQUEST_BASE_URL


def record_base_url() -> None:
    """Links built during a request start with the address the request came to."""
    setattr(g, REQUEST_BASE_URL, request.url_root.rstrip("/"))


def forget_base_url(_error: BaseException | None = None) -> None:
    """After the request, work done in the same application context links to CRM_BASE_URL again."""
    g.pop(REQUEST_BASE_URL, None)
