"""gunicorn's settings for convenor in production; benchmarks/pages.py serves with them too.

    CONVENOR_ENV=production SECRET_KEY=... ALLOWED_HOSTS=... \\
        gunicorn --config convenor/config/gunicorn.conf.py --bind 127.0.0.1:8000

Run ``convenor collectstatic`` first, and put gunicorn behind a reverse proxy or
load balancer that terminates TLS, sets ``X-Forwarded-Proto`` and buffers slow
clients. Where to listen is left to ``--bind`` (gunicorn's default is
127.0.0.1:8000, or 0.0.0.0:$PORT when ``PORT`` is set).

Threaded workers, one process per core with four threads each. A page is
mostly Python (queries built, rows turned into tables and charts, templates)
holding the GIL, so one process per core is what keeps every core busy; more
processes add memory, not speed. The threads let a process get on with another
request while one waits on the database (a network round trip on PostgreSQL)
and keep browsers' connections open between pages. On the 2-core machine, sync
workers (5 or 3) and 2 x 4 threads gave the same throughput and latencies
within the noise (docs/performance.md, "Pages"). ``WEB_CONCURRENCY`` sets the
processes and ``GUNICORN_THREADS`` the threads in each.
"""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

wsgi_app = "convenor.config.wsgi:application"

worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

# A request still running after this is stuck: its worker is restarted, and the error log
# says so.
timeout = 30
graceful_timeout = 30
# Longer than a proxy's pause between requests on a connection it keeps open, so
# gunicorn never closes one just as the proxy sends on it.
keepalive = 5

# Workers' heartbeat files in memory, not on a disk that may stall (container overlays).
if Path("/dev/shm").is_dir():
    worker_tmp_dir = "/dev/shm"

# Errors and worker starts to stderr for the platform's log collector; the proxy logs
# each request.
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
