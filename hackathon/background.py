"""Handing a slow task over so that the request that starts it answers at once."""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)

THREAD_PREFIX = "eager-task"


def thread_name(task, *args) -> str:
    """The name of the thread that runs `task` with `args` without a broker (tests join it)."""
    return f"{THREAD_PREFIX}:{task.name}:{':'.join(str(arg) for arg in args)}"


def _run_and_close(task, args: tuple) -> None:
    try:
        task.apply(args=args, throw=True)
    except Exception:  # the thread has no caller to raise to: the log is where it is seen
        logger.exception("Task %s%r failed in its background thread.", task.name, args)
    finally:
        # This thread's own connections (Django's are per thread), left open otherwise.
        connections.close_all()


def send_in_background(task, *args) -> None:
    """Send a task that takes longer than a request should. With a broker it is queued for a
    worker (`delay`). Without one (eager Celery: the demo) ``delay`` would run it inside the
    request, which then hangs until it ends; it runs in a thread of this process instead, so
    the request answers at once and the page follows the progress the task saves, as with a
    worker (unless ``EAGER_TASKS_IN_THREADS`` is off: then inside the request). Call it once
    the data the task reads is committed (transaction.on_commit): the thread has its own
    database connection."""
    if not task.app.conf.task_always_eager or not settings.EAGER_TASKS_IN_THREADS:
        task.delay(*args)
        return
    threading.Thread(
        target=_run_and_close, args=(task, args), name=thread_name(task, *args), daemon=True
    ).start()
