"""WSGI entry point: `gunicorn wsgi:app`."""

import gc

from crm import create_app

app = create_app()
# The application's objects (modules, models, mappers, configuration) live as long as the process:
# kept out of the garbage collector's full passes, which otherwise scan them all again every few
# requests that create many objects (docs/indicators.md, Performance).
gc.freeze()
