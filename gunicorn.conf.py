"""Production serving: ``gunicorn -c gunicorn.conf.py 'app:create_app()'``.

Every setting can be overridden from the environment (``GUNICORN_WORKERS``, ``GUNICORN_BIND``, …).
The app keeps no state in the process (sessions are signed cookies, the database holds the rest, abuse
limits count in instance/ratelimits.db or Redis), so any number of workers and instances can serve the
same database (several machines share abuse limits through Redis: README, Configuration).
"""

import multiprocessing
import os

wsgi_app = "app:create_app()"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Voucher codes travel in look-up URLs: core.logs masks them (1234********3456) in the access log.
logger_class = "core.logs.GunicornLogger"
access_log_format = '%(h)s "%(m)s %(U)s%(q)s %(H)s" %(s)s %(B)s %(M)sms'
# gunicorn's runtime control socket lives at one path per host; several instances on one machine
# would overwrite each other's. We manage processes with signals instead.
control_socket_disable = True
