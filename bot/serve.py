"""``rejection-coach serve``: one stateless HTTP worker for many-worker deployments.

One aiohttp server hosts the routes of every configured channel of
:data:`bot.channels.CHANNELS` (each channel checks its own requests):

- ``POST /telegram/webhook`` — the Telegram webhook (when ``TELEGRAM_BOT_TOKEN``
  is set; ``TELEGRAM_WEBHOOK_SECRET`` is required and checked on every request);
- ``POST /slack/events`` — Slack events, interactions and ``/coach`` (when
  ``SLACK_BOT_TOKEN`` and ``SLACK_SIGNING_SECRET`` are set; signed);

and its own:

- ``GET /healthz`` — 200 when the database can be read and written (see
  :func:`database_health_check`), else 503;
- ``GET /metrics`` — Prometheus text (see :mod:`bot.metrics`).

A worker keeps nothing about a conversation in memory: every update is read
from and written to the database, so any worker can take any update and N
identical workers run behind one load balancer (``docs/deploy.md``). Each
worker also runs the reminder schedulers of its channels (reminders are
claimed with ``FOR UPDATE SKIP LOCKED``, so each is delivered once) and prunes
old processed-update ids; :func:`supervise` restarts either loop if it dies.
SIGTERM stops it gracefully: no new requests, the ones in flight finish, then
the schedulers and connections close.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web
from sqlalchemy import text

from bot.errors import ConfigError
from bot.metrics import Metrics
from bot.serve_limits import KEEPALIVE_TIMEOUT, LimitedSite
from bot.signals import stop_on_signals

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from bot.engine import Engine
    from bot.settings import Settings

_LOGGER = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"

#: How long ``/healthz`` waits for ``SELECT 1`` before calling the database down.
HEALTH_TIMEOUT_SECONDS = 3.0
#: PostgreSQL: seconds to open a connection, to run one statement, to wait for the pool.
DATABASE_CONNECT_TIMEOUT_SECONDS = 5.0
DATABASE_COMMAND_TIMEOUT_SECONDS = 10.0
DATABASE_POOL_TIMEOUT_SECONDS = 10.0
#: How long the start-up schema check may take.
SCHEMA_CHECK_TIMEOUT_SECONDS = 30.0
#: How long requests in flight may take to finish after SIGTERM.
SHUTDOWN_TIMEOUT_SECONDS = 10.0
#: How often old processed-update ids are pruned, and how old they must be.
PRUNE_INTERVAL_SECONDS = 600.0
PRUNE_OLDER_THAN = timedelta(days=2)
#: How long a failed background job (reminders, pruning) waits before it restarts.
RESTART_DELAY_SECONDS = 1.0

#: Exit codes of :func:`run`.
EXIT_OK = 0
EXIT_FAILURE = 1

#: /healthz's write path on PostgreSQL: a temporary table (of the connection, emptied
#: at every commit, never in the schema) and one insert into it.
_PG_HEALTH_TABLE = text(
    "CREATE TEMPORARY TABLE IF NOT EXISTS rc_health_probe (probed integer) ON COMMIT DELETE ROWS"
)
_PG_HEALTH_WRITE = text("INSERT INTO rc_health_probe (probed) VALUES (1)")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
HealthCheck = Callable[[], Awaitable[bool]]


class ServeError(ConfigError):
    """A configuration or start-up problem the operator must fix."""


# --------------------------------------------------------------------------- the app


def database_health_check(
    database: AsyncEngine, *, timeout: float = HEALTH_TIMEOUT_SECONDS
) -> HealthCheck:
    """A health check of ``database`` within ``timeout`` seconds, reads and writes.

    SQLite: ``SELECT 1``, where every transaction first checks that the file is still
    the one opened and writable (:class:`storage.db.SqliteFileGuard`). PostgreSQL: a
    short write transaction too — an insert into a temporary table of the connection
    and a transaction id — so a server that only accepts reads (read-only mode, a
    standby, …) is unhealthy; no schema change, nothing left behind.
    """
    sqlite = database.dialect.name == "sqlite"

    async def check() -> bool:
        async def ping() -> None:
            async with database.connect() as connection:
                await connection.execute(text("SELECT 1"))
                if not sqlite:
                    await connection.execute(_PG_HEALTH_TABLE)
                    await connection.execute(_PG_HEALTH_WRITE)
                    await connection.execute(text("SELECT txid_current()"))
                await connection.commit()

        try:
            await asyncio.wait_for(ping(), timeout=timeout)
        except Exception as error:  # any failure means "not healthy"
            _LOGGER.warning("health check failed: %s", type(error).__name__)
            return False
        return True

    return check


def build_app(
    *, health: HealthCheck, metrics: Metrics, routes: Sequence[web.RouteDef] = ()
) -> web.Application:
    """Build the worker's aiohttp application.

    Args:
        health: answers whether the database is reachable (``/healthz``).
        metrics: the worker's metrics (``/metrics``).
        routes: the channels' routes (each checks its own requests' secret or signature).
    """
    app = web.Application(middlewares=[_error_middleware(metrics)])

    async def healthz(request: web.Request) -> web.Response:
        healthy = await health()
        metrics.database_up.set(1 if healthy else 0)
        if healthy:
            return web.json_response({"status": "ok", "database": "up"})
        metrics.record_error(where="health")
        return web.json_response({"status": "unavailable", "database": "down"}, status=503)

    async def metrics_page(request: web.Request) -> web.Response:
        await metrics.refresh()
        body, content_type = metrics.render(accept=request.headers.get("Accept", ""))
        return web.Response(body=body, headers={"Content-Type": content_type})

    app.router.add_get(HEALTH_PATH, healthz)
    app.router.add_get(METRICS_PATH, metrics_page)
    app.add_routes(routes)
    return app


def _error_middleware(metrics: Metrics) -> Any:
    """Count webhook failures; an unexpected exception becomes a bare 500.

    A non-2xx answer makes Telegram (and Slack) deliver the update again; the
    processed-update ids make that redelivery harmless.
    """

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPException as error:
            if error.status >= 500:
                metrics.record_error(where="webhook")
            raise
        except Exception as error:
            metrics.record_error(where="webhook")
            _LOGGER.error("request to %s failed: %s", request.path, type(error).__name__)
            return web.Response(status=500, text="internal error")
        if response.status >= 500 and request.path != HEALTH_PATH:
            metrics.record_error(where="webhook")
        return response

    return middleware


# --------------------------------------------------------------------------- run


@dataclass
class _Worker:
    """What a running worker holds, so shutdown can release it in order."""

    database: AsyncEngine
    metrics: Metrics
    app: web.Application
    background: dict[str, Callable[[], Coroutine[Any, Any, None]]] = field(default_factory=dict)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)


async def run(*, settings: Settings) -> int:
    """Run one worker until SIGTERM/SIGINT; return the process exit code.

    Refuses to start (exit code 1, a clear message on stderr) when nothing is
    configured, when the Telegram webhook secret is missing, or when the
    database schema is behind the code (run ``rejection-coach db upgrade``).
    """
    try:
        worker = await _start(settings)
    except ConfigError as error:  # ServeError or a channel's own (TelegramConfigError …)
        print(f"rejection-coach serve: {error}", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as error:  # e.g. the platform's API unreachable at start
        _LOGGER.error("start-up failed: %s", type(error).__name__)
        print(
            f"rejection-coach serve: could not start ({type(error).__name__}); "
            "is the platform's API reachable (TELEGRAM_API_URL, SLACK_API_URL)?",
            file=sys.stderr,
        )
        return EXIT_FAILURE

    runner = web.AppRunner(
        worker.app,
        access_log=None,
        shutdown_timeout=SHUTDOWN_TIMEOUT_SECONDS,
        keepalive_timeout=KEEPALIVE_TIMEOUT,
    )
    stop = asyncio.Event()
    with stop_on_signals(stop):
        return await _serve(worker, runner, settings=settings, stop=stop)


async def _serve(
    worker: _Worker, runner: web.AppRunner, *, settings: Settings, stop: asyncio.Event
) -> int:
    try:
        await runner.setup()
        site = LimitedSite(runner, settings.host, settings.port)
        try:
            await site.start()
        except OSError as error:
            print(
                f"rejection-coach serve: cannot listen on {settings.host}:{settings.port} "
                f"({error.strerror or error})",
                file=sys.stderr,
            )
            return EXIT_FAILURE
        worker.tasks = [
            asyncio.create_task(supervise(job, name=name, metrics=worker.metrics), name=name)
            for name, job in worker.background.items()
        ]
        _LOGGER.info("serving on %s:%s", settings.host, settings.port)
        await stop.wait()
        _LOGGER.info("shutting down")
    finally:
        await runner.cleanup()
        await _stop(worker)
    return EXIT_OK


async def _start(settings: Settings) -> _Worker:
    """Check the configuration and the schema; build the adapters and the app."""
    from bot.channels import CHANNELS
    from bot.wiring import build_engine, build_storage, reminder_scheduler
    from storage import current_revision, head_revision
    from storage.db import create_engine

    served = [
        spec
        for spec in CHANNELS.values()
        if spec.check_served is not None and spec.configured(settings)
    ]
    if not served:
        raise ServeError("nothing to serve: set TELEGRAM_BOT_TOKEN and/or SLACK_BOT_TOKEN")
    for spec in served:
        assert spec.check_served is not None
        spec.check_served(settings)

    try:
        current = await asyncio.wait_for(
            current_revision(settings.database_url), timeout=SCHEMA_CHECK_TIMEOUT_SECONDS
        )
    except Exception as error:
        raise ServeError(
            f"cannot read the database schema ({type(error).__name__}); "
            "is DATABASE_URL right and the database up?"
        ) from None
    expected = head_revision()
    if current != expected:
        found = "no schema at all" if current is None else f"schema revision {current}"
        raise ServeError(
            f"the database has {found}, this version needs {expected}: the schema is behind "
            "(or ahead of) the code. Run `rejection-coach db upgrade` once, then start the workers"
        )

    metrics = Metrics()
    database = create_engine(settings.database_url, **_pool_options(settings.database_url))
    # One pool for the engine, /healthz and pruning (_stop disposes it).
    storage = build_storage(settings=settings, database=database)
    engine: Engine = build_engine(
        settings=settings, storage=storage, observer=metrics, llm_observer=metrics.model_called
    )
    worker = _Worker(database=database, metrics=metrics, app=web.Application())
    routes: list[web.RouteDef] = []
    try:
        for spec in served:
            channel = spec.load().from_settings(settings=settings, engine=engine)
            routes.extend(channel.routes())  # asked first: a webhook is set on start()
            await channel.start()
            worker.closers.append(channel.stop)
            # Model calls (issue 16) in the background: the webhook is acked at once.
            engine.deliver_model_answers_with(channel.name, channel.deliver)
            reminders = reminder_scheduler(channel, engine=engine, settings=settings)
            worker.background[f"{channel.name}-reminders"] = reminders.run
            # The inbox (issue 13): requests a dead worker acknowledged are worked on here.
            recover_inbox = getattr(channel, "recover_inbox", None)
            if recover_inbox is not None:
                worker.background[f"{channel.name}-inbox"] = recover_inbox
        # The outbox's delivery loop (issue 13): retries, reminders, a dead worker's rows.
        engine.outbox.observer = metrics
        engine.inbox.observer = metrics
        engine.outbox.pacer.on_fallback = metrics.send_budget_fell_back
        engine.outbox.pacer.on_late_slot = metrics.send_slot_missed
        metrics.outbox_source = engine.outbox.stats
        metrics.inbox_source = engine.inbox.stats
        worker.background["outbox"] = engine.outbox.run
    except BaseException:
        await _stop(worker)
        await engine.aclose()
        raise
    # Closed first (closers run in reverse): model calls in flight still reach the channels.
    worker.closers.append(engine.aclose)
    worker.background["prune"] = lambda: prune_forever(database, metrics=metrics)
    worker.app = build_app(health=database_health_check(database), metrics=metrics, routes=routes)
    return worker


async def _stop(worker: _Worker) -> None:
    """Cancel the background jobs, close the adapters, dispose the pool."""
    for task in worker.tasks:
        task.cancel()
    for task in worker.tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
    for closer in reversed(worker.closers):
        try:
            await closer()
        except Exception as error:
            _LOGGER.warning("shutdown step failed: %s", type(error).__name__)
    await worker.database.dispose()


def _pool_options(url: str) -> dict[str, Any]:
    """Engine options so that a hung PostgreSQL fails fast instead of hanging requests.

    asyncpg waits 60 s for a connection by default and forever for a query;
    a webhook answered that late is retried by Telegram anyway, so give up
    sooner and answer "temporarily unavailable".
    """
    from storage.db import is_sqlite

    if is_sqlite(url):
        return {}
    return {
        "connect_args": {
            "timeout": DATABASE_CONNECT_TIMEOUT_SECONDS,
            "command_timeout": DATABASE_COMMAND_TIMEOUT_SECONDS,
        },
        "pool_timeout": DATABASE_POOL_TIMEOUT_SECONDS,
    }


async def supervise(
    job: Callable[[], Coroutine[Any, Any, None]],
    *,
    name: str,
    metrics: Metrics,
    restart_delay: float = RESTART_DELAY_SECONDS,
) -> None:
    """Run a background ``job`` forever: if it ever fails or ends, count it, wait, start it again.

    ``job`` is the loop itself (:meth:`ReminderScheduler.run`,
    :func:`prune_forever`), so a loop that died is seen here: a reminder
    scheduler that died silently would stop every reminder of the worker.
    Cancellation (shutdown) ends it.
    """
    while True:
        try:
            await job()
        except asyncio.CancelledError:
            raise
        except Exception as error:
            metrics.record_error(where=name)
            _LOGGER.error("background job %s failed (%s); restarting", name, type(error).__name__)
        else:
            _LOGGER.warning("background job %s ended; restarting", name)
        await asyncio.sleep(restart_delay)


async def prune_forever(
    database: AsyncEngine,
    *,
    metrics: Metrics,
    interval: float = PRUNE_INTERVAL_SECONDS,
    older_than: timedelta = PRUNE_OLDER_THAN,
) -> None:
    """Delete processed-update ids older than ``older_than`` now and every ``interval`` s.

    Every worker runs it; concurrent deletes of the same old rows are harmless.
    """
    from storage import prune_processed

    while True:
        try:
            removed = await prune_processed(database, older_than=older_than)
        except Exception as error:
            metrics.record_error(where="prune")
            _LOGGER.warning("pruning processed updates failed: %s", type(error).__name__)
        else:
            _LOGGER.info("pruned %s processed update ids", removed)
        await asyncio.sleep(interval)
