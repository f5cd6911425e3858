"""Pytest plugin for `make test-clock`, which runs tests under libfaketime (`-p tests.faketime_plugin`).

libfaketime fakes the monotonic clock too but does not translate `sem_clockwait`, the call behind
Python's timed waits: a thread waiting on an event or a lock with a timeout then waits for ever.
Two fixtures start such threads: the SMTP server of the mail tests (aiosmtpd's controller) and the
RQ worker of `run_jobs` (redis-py's pub/sub listener). Tests using them are skipped under
faketime; they run in `make test` as usual. The rate limiter's in-memory fallback (its storage
starts a timer thread, which would keep the process from ending) is switched off for the same
reason; `tests/test_public_form_limits.py` covers it in `make test`.
"""

import os

import pytest

os.environ["CRM_RATELIMIT_MEMORY_FALLBACK"] = "0"  # read when the tests build the application

THREADED_FIXTURES = {"smtp_server", "run_jobs"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the tests whose fixtures start a thread that waits with a timeout."""
    skip = pytest.mark.skip(
        reason="Fil d'exécution (serveur SMTP ou worker RQ) : il resterait bloqué sous faketime.")
    for item in items:
        if THREADED_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(skip)
