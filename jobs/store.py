"""The store step: copies a run's events from Redis into the database.

Runs on the ``store`` queue, in a worker that has the database (``python -m dynamon
worker --queue store``). The solve job enqueues it when it ends; the web app does the
same work whenever a run's page or progress stream is open.
"""

import logging

from rq import get_current_job

from dynamon import queue as q

log = logging.getLogger(__name__)
_database = None


def _open():
    global _database
    if _database is None:
        from dynamon.web.config import from_env
        from dynamon.web.models import open_database

        _database = open_database(from_env()["DATABASE_URL"])
    return _database


def store_run(token):
    from dynamon.web import runs
    from dynamon.web.models import Generation

    database = _open()
    job = get_current_job()
    conn = job.connection if job else q.connect()
    with database.connection_context():
        run = Generation.get_or_none(Generation.token == token)
        if run is None:
            log.warning("run %s: not in this database; nothing stored", token)
            return None
        run = runs.sync(run, conn)
        return run.status
