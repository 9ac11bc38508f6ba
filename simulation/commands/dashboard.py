"""``lco-sim dashboard``: serve the planners' web dashboard (Solara, on Mesa's SolaraViz).

The page is :mod:`simulation.dashboard.app`; this command starts Solara's server for it on one
host and port and stops it on Ctrl+C. ``--area NAME`` opens it on that area (passed to the page in
the environment variable ``LCO_SIM_DASHBOARD_AREA``); an unknown area is refused with one line
before the server starts.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import socket
import subprocess
import sys
from pathlib import Path

from simulation.areas import load_area
from simulation.scenario import ScenarioError

APP_MODULE = "simulation.dashboard.app"
AREA_ENV = "LCO_SIM_DASHBOARD_AREA"
"""How the area reaches the page (the same name as :data:`simulation.dashboard.app.AREA_ENV`; the
page module is not imported here, so that this command starts without Solara)."""


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``dashboard`` subcommand."""
    p = sub.add_parser("dashboard", help="open the web dashboard (policy against do nothing)",
                       description="Start the web dashboard and print its address; open it in a "
                       "browser. Ctrl+C stops it.")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1, this computer only)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    p.add_argument("--area", help="area to show (lco-sim areas lists them; default: the default "
                   "area)")
    p.set_defaults(func=execute)


def server_command(host: str, port: int) -> list[str]:
    """The command line that serves the dashboard.

    Example:
        >>> server_command("127.0.0.1", 8765)[-6:]
        ['--host', '127.0.0.1', '--port', '8765', '--production', '--no-open']
    """
    if not 0 <= port <= 65535:
        raise ScenarioError(f"--port: {port} is out of range; allowed 0..65535")
    if not host.strip():
        raise ScenarioError("--host: empty; give an address such as 127.0.0.1")
    return [sys.executable, "-m", "solara", "run", APP_MODULE, "--host", host,
            "--port", str(port), "--production", "--no-open"]


def check_port_free(host: str, port: int) -> None:
    """Refuse (one line) a host and port the server could not listen on, before it starts.

    Solara would print its own address first and fail a few seconds later with a traceback;
    binding the same address here, and letting it go at once, finds the problem first.
    Port 0 asks the server to pick a free port, so there is nothing to check.

    Example:
        >>> import socket
        >>> with socket.socket() as taken:
        ...     taken.bind(("127.0.0.1", 0)); taken.listen()
        ...     try:
        ...         check_port_free("127.0.0.1", taken.getsockname()[1])
        ...     except ScenarioError as exc:
        ...         print(str(exc).split(" (")[1].split(")")[0])
        Address already in use
    """
    if port == 0:
        return
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ScenarioError(f"--host: {host!r} is not an address here ({exc.strerror})") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        # the same option uvicorn sets, so a port in TIME_WAIT after a restart still counts as free
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise ScenarioError(f"--port: port {port} on {host} cannot be used "
                                f"({exc.strerror or exc}); choose another, or --port 0 for a "
                                "free one") from None


def execute(args: argparse.Namespace) -> int:
    """Run Solara's server in the foreground until it exits or is interrupted."""
    command = server_command(args.host, args.port)
    area = args.area
    if area:
        load_area(area)  # an unknown area or a bad area file: one line, exit 2
        if area.endswith(".toml") or "/" in area:  # a file: the server may start elsewhere
            area = str(Path(area).resolve())
    if importlib.util.find_spec("solara") is None:
        raise ScenarioError("dashboard: solara is not installed; run: pip install -e '.[viz]'")
    check_port_free(args.host, args.port)
    print(f"lco-sim dashboard: serving {load_area(area).title if area else 'the default area'} "
          f"on http://{args.host}:{args.port}/ (Ctrl+C stops it)", flush=True)
    env = dict(os.environ)
    if area:
        env[AREA_ENV] = area
    else:
        env.pop(AREA_ENV, None)
    process = subprocess.Popen(command, env=env)
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        raise
