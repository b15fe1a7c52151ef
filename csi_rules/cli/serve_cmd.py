"""`csi-rules serve --config FILE`: webhooks, the gate API, health and metrics, with the runner
looping in the same process (or `--no-runner` when a separate `csi-rules run` owns the loop;
webhooks then only queue wake-ups in the shared state database)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

from csi_rules.cli.run_cmd import build_runner, reporter_for
from csi_rules.errors import UsageError
from csi_rules.net import is_loopback
from csi_rules.runtime import SystemClock, load_config
from csi_rules.server import CsiServer
from csi_rules.server.app import ROUTES_ALL, ROUTES_API, ROUTES_OPS, listen
from csi_rules.server.context import load_gate_token, load_secrets
from csi_rules.server.limits import configured_limits
from csi_rules.server.service import server_context


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="HTTP server: webhooks, POST /v1/gate, /healthz, /metrics")
    p.add_argument("--config", required=True, metavar="FILE")
    p.add_argument("--host", help="listen address (default: server.host or 127.0.0.1)")
    p.add_argument("--port", type=int, help="listen port (default: server.port or 8080)")
    p.add_argument("--dry-run", action="store_true", help="the runner writes nothing")
    p.add_argument("--no-runner", action="store_true",
                   help="serve only; a separate `csi-rules run` processes the queue")
    p.set_defaults(run=run, full_sync=False)


def run(args: argparse.Namespace) -> int:
    """Config, secrets and the listening socket are checked before any state is created:
    a busy port or a bad setting exits 2 and leaves no database behind."""
    clock = SystemClock()
    config = load_config(args.config)
    load_secrets(config, os.environ)
    host = args.host if args.host is not None else config.server.host
    port = args.port if args.port is not None else config.server.port
    if not load_gate_token(config, os.environ) and not is_loopback(host):
        raise UsageError(f"serve on {host}: POST /v1/gate would take requests from anyone; "
                         "set server.gate (secretEnv or secretFile) for its bearer token")
    limits = configured_limits(config.server.limits)
    listener = listen(host, port, limits)
    ops = None
    if config.server.ops_port is not None:
        try:
            ops = listen(config.server.ops_host, config.server.ops_port, limits)
        except BaseException:
            listener.server_close()
            raise
    runner = None
    try:
        runner = None if args.no_runner else build_runner(args, clock)
        thread = None
        if runner is not None:
            thread = threading.Thread(target=runner.run_forever, name="csi-rules-runner",
                                      daemon=True)
        ctx = server_context(config, clock, os.environ, runner=runner, runner_thread=thread)
    except BaseException:
        listener.server_close()
        if ops is not None:
            ops.server_close()
        if runner is not None:
            runner.close()
        raise
    routes = ROUTES_ALL if ops is None else ROUTES_API
    server = CsiServer(ctx, host, port, listener=listener, limits=limits, routes=routes)
    ops_server = None if ops is None else CsiServer(ctx, listener=ops, limits=limits,
                                                    routes=ROUTES_OPS)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    if thread is not None:
        thread.start()
    server.start()
    if ops_server is not None:
        ops_server.start()
    reporter_for(sys.stderr, clock).event("listening", url=server.url,
                                          runner=runner is not None,
                                          **({"ops_url": ops_server.url} if ops_server else {}))
    try:
        stop.wait()
    finally:
        server.stop()
        if ops_server is not None:
            ops_server.stop()
        if runner is not None:
            runner.stop()
            if thread is not None:
                thread.join(timeout=30)
            runner.close()
        ctx.store.close()
    return 0
