"""`python -m nn.live`: watch a network learn, in the browser.

    python -m nn.live                      # the moons demo, a browser opens
    python -m nn.live --dataset spiral --loss cross_entropy --layers 16,16 --optimizer adam
    python -m nn.live --port 0 --no-browser

It prints one line with the page's address (`http://127.0.0.1:PORT/?token=...`) and
serves on the loopback interface only, unless `--host` says otherwise (then it warns).
Ctrl-C (or SIGTERM) stops it, with exit status 0.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import secrets
import signal
import socket
import sys
import threading
import webbrowser
from collections.abc import Sequence
from typing import Any

from nn.live.session import DEFAULTS, ConfigError, check_config

INSTALL = (
    "nn.live needs the 'live' extra (Starlette, uvicorn with WebSockets): "
    "pip install 'backprop-lens[live]'"
)


def parse(argv: Sequence[str] | None) -> tuple[argparse.Namespace, dict[str, Any]]:
    parser = argparse.ArgumentParser(prog="python -m nn.live", description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="interface (default: loopback only)")
    parser.add_argument("--port", type=int, default=8765, help="port (0: a free one)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.add_argument("--speed", type=float, default=0.0, help="steps/s (0: as fast as it goes)")
    # The page's controls, as flags: the starting state.
    parser.add_argument("--dataset", default=DEFAULTS["dataset"])
    parser.add_argument("--samples", type=int, default=DEFAULTS["samples"])
    parser.add_argument("--noise", type=float, default=DEFAULTS["noise"])
    parser.add_argument("--split", type=float, default=DEFAULTS["split"], help="train fraction")
    parser.add_argument("--data-seed", type=int, default=DEFAULTS["data_seed"])
    parser.add_argument("--seed", type=int, default=DEFAULTS["seed"])
    parser.add_argument(
        "--layers", default=",".join(map(str, DEFAULTS["layers"])), help="hidden sizes: 16,16"
    )
    parser.add_argument("--activation", default=DEFAULTS["activation"])
    parser.add_argument("--loss", default=DEFAULTS["loss"], help="hinge, bce or cross_entropy")
    parser.add_argument("--optimizer", default=DEFAULTS["optimizer"], help="sgd or adam")
    parser.add_argument("--lr", type=float, default=DEFAULTS["lr"])
    parser.add_argument("--momentum", type=float, default=DEFAULTS["momentum"])
    parser.add_argument("--l2", type=float, default=DEFAULTS["l2"])
    parser.add_argument("--batch", type=int, default=DEFAULTS["batch"])
    args = parser.parse_args(argv)
    try:
        layers = [int(v) for v in args.layers.split(",") if v.strip()]
    except ValueError:
        parser.error(f"--layers must be sizes separated by commas, got {args.layers!r}")
    config = {
        "dataset": args.dataset,
        "samples": args.samples,
        "noise": args.noise,
        "split": args.split,
        "data_seed": args.data_seed,
        "seed": args.seed,
        "layers": layers,
        "activation": args.activation,
        "loss": args.loss,
        "optimizer": args.optimizer,
        "lr": args.lr,
        "momentum": args.momentum,
        "l2": args.l2,
        "batch": args.batch,
    }
    if args.dataset == "spiral" and args.loss == DEFAULTS["loss"]:
        config["loss"] = "cross_entropy"  # the only loss for three classes
    try:
        config = check_config(config)
    except ConfigError as e:
        parser.error(str(e))
    if not 0 <= args.port <= 65535:
        parser.error(f"--port must be 0 to 65535, got {args.port}")
    return args, config


def main(argv: Sequence[str] | None = None) -> int:
    args, config = parse(argv)
    try:
        import uvicorn

        from nn.live.app import create_app
    except ImportError:
        print(INSTALL, file=sys.stderr)
        return 1

    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as e:
        print(f"nn.live: cannot listen on {args.host}:{args.port}: {e}", file=sys.stderr)
        return 1
    sock.listen(128)  # before the address is printed: whoever reads it can connect at once
    port = sock.getsockname()[1]
    token = secrets.token_urlsafe(24)
    url = page_url(args.host, port, token)
    if not is_loopback(args.host):
        print(warning(args.host, port), file=sys.stderr)
    app = create_app(token, port, config, host=args.host, speed=max(0.0, args.speed))
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            log_level="warning",
            ws="auto",
            ws_max_size=4 << 20,  # beyond, the connection closes (over 256 kB: the app replies)
            ws_ping_interval=None,
            lifespan="on",
        )
    )
    # A stop is a clean exit 0 at any moment: before uvicorn runs, Ctrl-C's KeyboardInterrupt
    # and SIGTERM's SystemExit end main here; once it runs, uvicorn handles both, shuts down,
    # then raises the signal again for these same handlers.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    with contextlib.suppress(KeyboardInterrupt):
        print(f"nn.live: open {url}", flush=True)
        if not args.no_browser:
            threading.Timer(0.5, _open_browser, args=(url,)).start()
        server.run(sockets=[sock])
    return 0


def _exit_cleanly(signum: int, frame: object) -> None:
    raise SystemExit(0)


WILDCARD = ("0.0.0.0", "::", "")


def is_loopback(host: str) -> bool:
    """Whether `--host` keeps the server on this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name
        return False


def page_url(host: str, port: int, token: str) -> str:
    """The page's address on `host`: a wildcard host is opened on this machine by its
    loopback address (IPv6's in brackets), which the server accepts in `Host`."""
    shown = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "localhost": "127.0.0.1", "::": "::1"}
    name = shown.get(host, host)
    if ":" in name:
        name = f"[{name}]"
    return f"http://{name}:{port}/?token={token}"


def warning(host: str, port: int) -> str:
    """What a server reachable from other machines says on stderr."""
    where = (
        f"every interface of this machine (from another one: http://{socket.gethostname()}:"
        f"{port}/ or this machine's address, with the token)"
        if host in WILDCARD
        else host
    )
    return (
        f"warning: nn.live is serving on {where}, not only on this machine: anyone who can "
        "reach it and has the token can steer it; the token travels unencrypted (http)"
    )


def _open_browser(url: str) -> None:
    with contextlib.suppress(Exception):  # no browser here: the printed address is enough
        webbrowser.open(url)


if __name__ == "__main__":
    sys.exit(main())
