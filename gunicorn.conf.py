"""gunicorn settings every way of serving the shop uses (`make run`, benchmarks, production:
`gunicorn -c gunicorn.conf.py 'storefront:create_app()'`)."""

import gc
import os

from config import Config, check_rate_limit_storage

# The control socket lives in ~/.gunicorn: two servers on one machine would collide.
control_socket_disable = True


def on_starting(server) -> None:
    """Refuse to start workers that would each count rate limits on their own."""
    check_rate_limit_storage(
        server.cfg.workers, os.environ.get("RATELIMIT_STORAGE_URI", Config.RATELIMIT_STORAGE_URI)
    )


def post_worker_init(worker) -> None:
    """Move what loading the app made (modules, the schema, templates) out of the garbage
    collector's reach: a full collection otherwise walks those ~150,000 objects again and
    again, some 75 ms in the middle of whichever request triggers it."""
    gc.freeze()
