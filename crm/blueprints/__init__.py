"""One package per feature: views.py (thin), forms.py, templates under crm/templates/<name>/."""
