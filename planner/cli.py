"""The ``planner`` command: the only place that prints.

Layout, so that commands can be added without touching the rest: shared helpers first (consoles, error
handling, number formatting), then the click group :func:`main`, then one section per command. Every
:class:`~planner.exceptions.PlannerError` raised by a command becomes one red line ``error: ...`` on stderr
and exit code 2, never a traceback.
"""

from __future__ import annotations

import logging
import math
import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click
from rich.console import Console
from rich.text import Text

from planner import __version__
from planner.exceptions import PlannerError

if TYPE_CHECKING:
    from rich.console import RenderableType

    from planner.scheduling import ProblemData, Result, Solver
    from planner.scheduling.solvers.base import Progress

# ---------------------------------------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------------------------------------

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

EXIT_OK = 0
EXIT_NO_SOLUTION = 1
EXIT_USER_ERROR = 2
EXIT_INTERNAL_ERROR = 3


def print_error(message: str) -> None:
    """Print ``error: <message>`` as one red line on stderr (no markup interpretation, no wrapping)."""
    line = " ".join(str(message).split("\n"))
    err_console.print(Text("error: ", style="bold red") + Text(line, style="red"), soft_wrap=True)


def fail(message: str, code: int = EXIT_USER_ERROR) -> NoReturn:
    """Print an error line and leave with ``code``."""
    print_error(message)
    raise click.exceptions.Exit(code)


def fmt_number(value: float | None) -> str:
    """Integers without decimals, other numbers with two; ``-`` for missing or infinite values."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}"


def fmt_percent(value: float | None) -> str:
    """A fraction as a percentage with two decimals; ``-`` for missing or infinite values."""
    if value is None or not math.isfinite(value):
        return "-"
    return f"{100.0 * value:.2f}%"


class PlannerGroup(click.Group):
    """A click group that turns user errors into one line and exit code 2 for every command."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except PlannerError as exc:
            fail(str(exc), EXIT_USER_ERROR)
        except Exception as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            logging.getLogger(__name__).debug("internal error", exc_info=True)
            fail(
                f"internal error: {type(exc).__name__}: {exc} (run `planner --debug ...` for the traceback)",
                EXIT_INTERNAL_ERROR,
            )


def _configure_logging(verbose: int) -> None:
    """Send the package's log records to stderr through rich; the root logger is left alone."""
    from rich.logging import RichHandler

    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    package_logger = logging.getLogger("planner")
    for handler in list(package_logger.handlers):
        if getattr(handler, "_planner_cli", False):  # from an earlier invocation in the same process
            package_logger.removeHandler(handler)
    handler = RichHandler(console=err_console, show_path=False, rich_tracebacks=False)
    handler._planner_cli = True  # type: ignore[attr-defined]
    package_logger.addHandler(handler)
    package_logger.setLevel(level)


@click.group(cls=PlannerGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="planner", message="%(prog)s %(version)s")
@click.option("-v", "--verbose", count=True, help="Log more: -v for progress messages, -vv for debugging.")
@click.option("--debug", is_flag=True, help="Show the full traceback of internal errors.")
@click.pass_context
def main(ctx: click.Context, verbose: int, debug: bool) -> None:
    """Planning and scheduling engine for smart factories.

    Solve shop-floor scheduling problems (job shop, flexible job shop, plants with changeovers,
    maintenance windows and due dates) from instance files. Run `planner COMMAND --help` for the
    options of a command.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    _configure_logging(verbose)


# ---------------------------------------------------------------------------------------------------------
# planner solve
# ---------------------------------------------------------------------------------------------------------


#: planner.formats.FORMATS, spelled out so that `planner --help` does not import the readers.
INSTANCE_FORMATS = ("jssp", "taillard", "fjsp", "native")


def _tolerance(value: str | float | None) -> float | None:
    """A relative tolerance from the command line: a number >= 0, or ``none``/``inf`` for no bound."""
    if value is None or str(value).strip().lower() in ("none", "inf", "unbounded"):
        return None
    try:
        tolerance = float(value)
    except ValueError:
        raise click.BadParameter(f"must be a number >= 0 or 'none', got {value!r}") from None
    if not tolerance >= 0:
        raise click.BadParameter(f"must be >= 0 or 'none', got {value!r}")
    return tolerance


def _default_workers() -> int:
    return max(1, min(8, os.cpu_count() or 1))


class _SolveLine:
    """The live progress line of one solve; :meth:`update` is called from the solver's thread."""

    def __init__(self, name: str, time_limit: float):
        from rich.spinner import Spinner

        self.name = name
        self.time_limit = time_limit
        self.started = time.monotonic()
        self.progress: Progress | None = None
        self.spinner = Spinner("dots", style="cyan")

    def update(self, progress: Progress) -> None:
        self.progress = progress  # one reference assignment: safe across threads

    def __rich__(self) -> RenderableType:
        from rich.table import Table

        elapsed = time.monotonic() - self.started
        text = Text(f"solving {self.name}  ", style="bold")
        p = self.progress
        if p is None:
            text.append("searching for a first schedule", style="dim")
        else:
            text.append(f"incumbent {fmt_number(p.objective)}  bound {fmt_number(p.bound)}  ")
            text.append(f"gap {fmt_percent(p.gap)}  ", style="yellow" if p.gap > 0 else "green")
            text.append(f"solutions {p.num_solutions}  ", style="dim")
        text.append(f"{elapsed:.1f}/{self.time_limit:g} s", style="dim")
        grid = Table.grid(padding=(0, 1))
        grid.add_row(self.spinner, text)
        return grid


@contextmanager
def _stop_on_interrupt(solver: Solver) -> Iterator[None]:
    """First Ctrl-C stops the solver (keeping its best schedule); a second one aborts."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pressed = threading.Event()

    def handler(signum: int, frame: Any) -> None:
        if pressed.is_set():
            raise KeyboardInterrupt
        pressed.set()
        err_console.print("[yellow]stopping: finishing with the best schedule so far (Ctrl-C again to abort)")
        solver.stop()

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _instance_labels(paths: list[Path], datas: list[ProblemData]) -> list[tuple[str, str]]:
    """``(label, file_name)`` per instance: the instance name, with its folder when names collide.

    ``hurink_edata/la01.fjs`` and ``jssp/la01.txt`` together become ``hurink_edata/la01`` and ``jssp/la01``
    in the table and ``hurink_edata_la01``, ``jssp_la01`` in output file names.
    """
    bases = [d.name or p.stem for p, d in zip(paths, datas, strict=True)]
    labels = [f"{p.parent.name}/{b}" if bases.count(b) > 1 else b for p, b in zip(paths, bases, strict=True)]
    out: list[tuple[str, str]] = []
    for idx, label in enumerate(labels):
        repeat = labels[:idx].count(label)  # the same file given twice
        label = f"{label} ({repeat + 1})" if repeat else label
        file_name = "".join(c if c.isalnum() or c in "-_.+" else "_" for c in label.replace("/", "_"))
        out.append((label, file_name.strip("_.") or "instance"))
    return out


def _best_known(path: Path, data: ProblemData) -> Any:
    """Best-known bounds of the instance in ``path``, None when unknown or of another size.

    The size check keeps a user's own file that happens to be called ``la01.txt`` from being compared
    with the benchmark of that name.
    """
    from planner.formats.bks import best_known

    try:
        bound = best_known(path)
    except (OSError, ValueError):  # an unreadable table of bounds must not stop a solve
        logging.getLogger(__name__).warning("cannot read best-known bounds for %s", path, exc_info=True)
        return None
    if bound is None:
        return None
    if (bound.n_jobs and bound.n_jobs != data.num_jobs) or (
        bound.n_machines and bound.n_machines != data.num_machines
    ):
        logging.getLogger(__name__).info(
            "%s: size differs from benchmark %s; bounds not used", path, bound.name
        )
        return None
    return bound


def _bks_gap(result: Result, data: ProblemData, bks: Any) -> float | None:
    """``makespan / best-known upper bound - 1``, only when makespan is the whole objective."""
    if bks is None or getattr(bks, "upper", None) is None or result.kpis is None:
        return None
    if data.objective.terms() != ("makespan",) or not bks.upper:
        return None
    return float(result.kpis.makespan) / float(bks.upper) - 1.0


def _bks_dict(bks: Any) -> dict[str, Any] | None:
    if bks is None:
        return None
    return {"lower": bks.lower, "upper": bks.upper, "optimal": bks.optimal}


def _kpi_line(result: Result) -> str:
    """The schedule's KPIs in one line."""
    k = result.kpis
    if k is None:
        return ""
    mean_use = sum(k.utilisation) / len(k.utilisation) if k.utilisation else 0.0
    return (
        f"makespan {k.makespan}, weighted tardiness {k.total_weighted_tardiness} ({k.num_late_jobs} late, "
        f"max {k.max_tardiness}), setup {k.total_setup_time}, mean utilisation {100 * mean_use:.1f}%"
    )


def _make_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)


def _write(what: str, path: Path, write: Any, *args: Any) -> None:
    """Call ``write(*args)``; an OSError (full disk, no permission) becomes a one-line user error."""
    try:
        write(*args)
    except OSError as exc:
        raise PlannerError(f"cannot write {what} {path}: {exc.strerror or exc}") from exc


@main.command("solve", short_help="Solve instance files and print a table of results.")
@click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path),
)
@click.option(
    "-f",
    "--format",
    "file_format",
    type=click.Choice(INSTANCE_FORMATS, case_sensitive=False),
    default=None,
    help="Format of the files: jssp (standard job shop, machines 0-based), taillard (matrices), fjsp "
    "(FJSPLIB .fjs, machines 1-based), native (planner JSON). Default: detected from each file.",
)
@click.option(
    "-t",
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,
    show_default=True,
    help="Wall-clock limit per file, in seconds.",
)
@click.option(
    "-w",
    "--workers",
    type=click.IntRange(min=1),
    default=_default_workers,
    show_default="number of CPU cores, at most 8",
    help="Solver threads.",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed of the solver.")
@click.option(
    "--objective",
    metavar="SPEC",
    default=None,
    help="Override the file's objective: makespan, tardiness (total weighted), setup, a weighted sum "
    "such as 'makespan=1,tardiness=5', or a lexicographic order such as 'lex:tardiness,makespan'. "
    "Default: the file's objective (makespan for JSSP/FJSP files).",
)
@click.option(
    "--solver",
    "solver_name",
    type=click.Choice(["cpsat", "dispatch"]),
    default="cpsat",
    show_default=True,
    help="cpsat: CP-SAT constraint programming (proves optimality); dispatch: fast dispatching rule.",
)
@click.option(
    "-o",
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for <name>.schedule.csv (job,operation,machine,start,end; 0-based) and <name>.result.json "
    "(status, objective, bound, KPIs). Created if missing.",
)
@click.option(
    "--gantt",
    is_flag=True,
    help="Also write <name>.gantt.html (interactive, self-contained) and <name>.gantt.png into --out "
    "(or the current folder).",
)
def solve_command(
    files: tuple[Path, ...],
    file_format: str | None,
    time_limit: float,
    workers: int,
    seed: int,
    objective: str | None,
    solver_name: str,
    out: Path | None,
    gantt: bool,
) -> None:
    """Solve the scheduling problem in each FILE and print a table of results.

    FILE is a JSSP (standard or Taillard), FJSPLIB (.fjs) or native JSON instance. While solving, a line
    shows the incumbent, the bound, the gap and the elapsed time; Ctrl-C stops the current solve and keeps
    its best schedule. Exit code 0 when every file got a schedule, 1 when some did not, 2 on bad input.
    """
    from rich import box
    from rich.live import Live
    from rich.table import Table

    from planner.formats import read_instance
    from planner.scheduling import Objective, Solver
    from planner.scheduling.output import write_result_json, write_schedule_csv

    override = Objective.parse(objective) if objective is not None else None

    # Read everything first: a bad file fails before any solving time is spent.
    datas: list[ProblemData] = []
    for path in files:
        data = read_instance(path, format=file_format)
        changes: dict[str, Any] = {}
        if not data.name:
            changes["name"] = path.stem
        if override is not None:
            changes["objective"] = override
        datas.append(data.replace(**changes) if changes else data)
    labels = _instance_labels(list(files), datas)
    gantt_dir = out if out is not None else Path(".")
    for folder in (out, gantt_dir if gantt else None):
        if folder is not None:
            _write("folder", folder, _make_folder, folder)

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for header in ("instance", "status", "objective", "bound", "gap", "best known", "gap to best", "seconds"):
        table.add_column(header, justify="left" if header in ("instance", "status") else "right")
    status_styles = {"optimal": "green", "feasible": "yellow", "infeasible": "red", "unknown": "red"}

    missing = 0
    for path, data, (label, name) in zip(files, datas, labels, strict=True):
        solver = Solver(solver_name)
        line = _SolveLine(label, time_limit)
        with _stop_on_interrupt(solver), Live(line, console=console, transient=True, refresh_per_second=8):
            result = solver.solve(
                data, time_limit=time_limit, num_workers=workers, seed=seed, on_progress=line.update
            )
        bks = _best_known(path, data)
        bks_gap = _bks_gap(result, data, bks)
        comparable = data.objective.terms() == ("makespan",)  # best-known bounds are makespans
        status = result.status.value
        console.print(
            Text.assemble(
                (f"{label}: ", "bold"),
                (status, status_styles.get(status, "")),
                f" objective {fmt_number(result.objective)} bound {fmt_number(result.lower_bound)}"
                f" in {result.runtime:.2f} s",
            ),
            soft_wrap=True,
        )
        if result.kpis is not None:
            console.print(Text("  " + _kpi_line(result), style="dim"), soft_wrap=True)
        if result.schedule is None:
            missing += 1
        table.add_row(
            label,
            Text(status, style=status_styles.get(status, "")),
            fmt_number(result.objective),
            fmt_number(result.lower_bound),
            fmt_percent(result.gap),
            fmt_number(bks.upper) if bks is not None and comparable else "-",
            fmt_percent(bks_gap),
            f"{result.runtime:.2f}",
        )

        if out is not None:
            extra = {
                "file": str(path),
                "best_known": _bks_dict(bks),
                "gap_to_best_known": None if bks_gap is None else round(bks_gap, 6),
                "settings": {
                    "time_limit": time_limit,
                    "workers": workers,
                    "seed": seed,
                    "solver": solver_name,
                    "objective": objective,
                },
            }
            if result.schedule is not None:
                csv_path = out / f"{name}.schedule.csv"
                _write("schedule", csv_path, write_schedule_csv, result.schedule, csv_path)
            if result.schedule is not None and result.schedule.maintenance:
                from planner.scheduling.output import write_maintenance_csv

                m_path = out / f"{name}.maintenance.csv"
                _write("maintenance", m_path, write_maintenance_csv, result.schedule, m_path)
            json_path = out / f"{name}.result.json"
            _write("result", json_path, write_result_json, result, data, json_path, extra)
        if gantt and result.schedule is not None:
            from planner.plotting import write_gantt_html, write_gantt_png

            html_path = gantt_dir / f"{name}.gantt.html"
            png_path = gantt_dir / f"{name}.gantt.png"
            _write("chart", html_path, write_gantt_html, data, result.schedule, html_path)
            _write("chart", png_path, write_gantt_png, data, result.schedule, png_path)

    # Pipes and log files have no width: do not squeeze the table into 80 columns there.
    wide = console if console.is_terminal else Console(file=console.file, width=140, highlight=False)
    wide.print(table)
    if missing:
        print_error(f"{missing} of {len(files)} instance(s) got no schedule")
        raise click.exceptions.Exit(EXIT_NO_SOLUTION)


# ---------------------------------------------------------------------------------------------------------
# planner serve, planner submit, planner jobs (the gRPC service and its client)
# ---------------------------------------------------------------------------------------------------------


def _env(name: str) -> str:
    return f"PLANNER_{name.upper()}"


@main.command("serve", short_help="Run the gRPC service (jobs in SQLite or PostgreSQL).")
@click.option(
    "--host", default="127.0.0.1", show_default=True, envvar=_env("host"), help="Address to listen on."
)
@click.option(
    "--port", type=int, default=50051, show_default=True, envvar=_env("port"), help="Port (0: any free)."
)
@click.option(
    "--db-url",
    default="sqlite:///var/planner.db",
    show_default=True,
    envvar=_env("db_url"),
    help="Job database: sqlite:///FILE or postgresql://USER@HOST/DB.",
)
@click.option(
    "--slots", type=int, default=2, show_default=True, envvar=_env("slots"), help="Solves running at once."
)
@click.option(
    "--workers",
    type=int,
    default=1,
    show_default=True,
    envvar=_env("workers"),
    help="CP-SAT threads per solve.",
)
@click.option(
    "--default-time-limit",
    type=float,
    default=10.0,
    show_default=True,
    envvar=_env("default_time_limit"),
    help="Seconds per solve when a request gives none.",
)
@click.option(
    "--server-id",
    default="",
    envvar=_env("server_id"),
    help="Name of this server as job owner (default: host-pid-random).",
)
@click.option(
    "--lease-seconds",
    type=float,
    default=15.0,
    show_default=True,
    envvar=_env("lease_seconds"),
    help="Seconds before another server takes over a job whose server stopped renewing it.",
)
@click.option(
    "--poll-interval",
    type=float,
    default=0.5,
    show_default=True,
    envvar=_env("poll_interval"),
    help="Seconds between looks at the database for new jobs and cancellations.",
)
@click.option(
    "--tls-cert", default="", envvar=_env("tls_cert"), help="PEM certificate: enables TLS (with --tls-key)."
)
@click.option("--tls-key", default="", envvar=_env("tls_key"), help="PEM private key of --tls-cert.")
@click.option(
    "--tls-client-ca",
    default="",
    envvar=_env("tls_client_ca"),
    help="PEM CA of client certificates: enables mutual TLS.",
)
@click.option(
    "--token",
    default="",
    envvar=_env("token"),
    show_envvar=True,
    help="Require 'authorization: Bearer TOKEN' on every RPC except health (prefer the env variable).",
)
@click.option(
    "--metrics-port",
    type=int,
    default=None,
    envvar=_env("metrics_port"),
    help="Serve Prometheus metrics on this port.",
)
@click.option("--max-operations", type=int, default=20_000, show_default=True, envvar=_env("max_operations"))
@click.option("--max-horizon", type=int, default=100_000_000, show_default=True, envvar=_env("max_horizon"))
@click.option("--max-message-mb", type=float, default=32.0, show_default=True, envvar=_env("max_message_mb"))
@click.option(
    "--max-queue",
    type=int,
    default=64,
    show_default=True,
    envvar=_env("max_queue"),
    help="SolveSchedule calls that may wait for a slot.",
)
@click.option(
    "--max-queued-jobs", type=int, default=10_000, show_default=True, envvar=_env("max_queued_jobs")
)
@click.option(
    "--max-time-limit", type=float, default=3600.0, show_default=True, envvar=_env("max_time_limit")
)
@click.option(
    "--max-forecast-series",
    type=int,
    default=100,
    show_default=True,
    envvar=_env("max_forecast_series"),
    help="Series in one unary Forecast call (bigger batches: StartForecast).",
)
@click.option(
    "--max-forecast-rows",
    type=int,
    default=50_000,
    show_default=True,
    envvar=_env("max_forecast_rows"),
    help="History rows in one unary Forecast call.",
)
@click.option(
    "--max-plan-cells",
    type=int,
    default=1_000_000,
    show_default=True,
    envvar=_env("max_plan_cells"),
    help="Items x periods of one lot-sizing problem.",
)
@click.option(
    "--run-jobs/--no-run-jobs",
    default=True,
    show_default=True,
    envvar=_env("run_jobs"),
    help="Run durable jobs here (--no-run-jobs: an API-only server that only stores them).",
)
@click.option(
    "--log-format",
    type=click.Choice(["json", "text"]),
    default="json",
    show_default=True,
    envvar=_env("log_format"),
)
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning"]),
    default="info",
    show_default=True,
    envvar=_env("log_level"),
)
def serve_command(
    host: str,
    port: int,
    db_url: str,
    slots: int,
    workers: int,
    default_time_limit: float,
    server_id: str,
    lease_seconds: float,
    poll_interval: float,
    tls_cert: str,
    tls_key: str,
    tls_client_ca: str,
    token: str,
    metrics_port: int | None,
    max_operations: int,
    max_horizon: int,
    max_message_mb: float,
    max_queue: int,
    max_queued_jobs: int,
    max_time_limit: float,
    max_forecast_series: int,
    max_forecast_rows: int,
    max_plan_cells: int,
    run_jobs: bool,
    log_format: str,
    log_level: str,
) -> None:
    """Run the planner gRPC service until SIGTERM or Ctrl-C.

    Every option can also be set from the environment as PLANNER_<OPTION> (e.g. PLANNER_DB_URL,
    PLANNER_TOKEN). Jobs are kept in the database and survive restarts; several servers may share one
    PostgreSQL database. Logs are JSON lines on stderr.
    """
    from planner.service import Limits, ServiceConfig, serve
    from planner.service.logs import configure_logging

    if db_url.startswith("sqlite:///") and not db_url.startswith("sqlite:////"):
        Path(db_url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    limits = Limits(
        max_operations=max_operations,
        max_horizon=max_horizon,
        max_message_bytes=int(max_message_mb * 1024 * 1024),
        max_queue=max_queue,
        max_queued_jobs=max_queued_jobs,
        max_time_limit=max_time_limit,
        max_forecast_series=max_forecast_series,
        max_forecast_rows=max_forecast_rows,
        max_plan_cells=max_plan_cells,
    )
    extra: dict[str, Any] = {"server_id": server_id} if server_id else {}
    config = ServiceConfig(
        host=host,
        port=port,
        db_url=db_url,
        slots=slots,
        workers_per_solve=workers,
        default_time_limit=default_time_limit,
        limits=limits,
        lease_seconds=lease_seconds,
        poll_interval=poll_interval,
        tls_cert=tls_cert,
        tls_key=tls_key,
        tls_client_ca=tls_client_ca,
        token=token,
        metrics_port=metrics_port,
        run_jobs=run_jobs,
        **extra,
    )
    configure_logging(log_level, json_lines=log_format == "json")
    serve(config)


def _client_options(function: Any) -> Any:
    """The options every client command takes."""
    options = [
        click.option(
            "--server",
            default="127.0.0.1:50051",
            show_default=True,
            envvar=_env("server"),
            help="HOST:PORT of the planner service.",
        ),
        click.option(
            "--token", default="", envvar=_env("token"), help="Bearer token (prefer PLANNER_TOKEN)."
        ),
        click.option(
            "--ca",
            "ca_file",
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            envvar=_env("ca"),
            help="PEM CA of the server certificate: use TLS.",
        ),
        click.option(
            "--cert",
            "cert_file",
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            envvar=_env("client_cert"),
            help="PEM client certificate, for mutual TLS.",
        ),
        click.option(
            "--key",
            "key_file",
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            envvar=_env("client_key"),
            help="PEM client key, for mutual TLS.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@contextmanager
def _client(
    server: str, token: str, ca_file: Path | None, cert_file: Path | None, key_file: Path | None
) -> Iterator[Any]:
    """A connected :class:`planner.client.PlannerClient`; gRPC errors become one-line user errors."""
    import grpc

    from planner.client import PlannerClient

    client = PlannerClient(
        server,
        token=token or None,
        root_certificates=ca_file.read_bytes() if ca_file else None,
        certificate_chain=cert_file.read_bytes() if cert_file else None,
        private_key=key_file.read_bytes() if key_file else None,
    )
    try:
        yield client
    except grpc.RpcError as exc:
        code = exc.code()  # type: ignore[attr-defined]
        details = exc.details()  # type: ignore[attr-defined]
        if code == grpc.StatusCode.UNAVAILABLE:
            fail(f"cannot reach the planner service at {server}: {details}")
        fail(f"{code.name}: {details}")
    finally:
        client.close()


def _job_line(job: Any) -> str:
    from planner.client import plan_status_name, state_name, status_name

    parts = [job.job_id, state_name(job.state), job.name or "-"]
    if job.HasField("schedule_result"):
        r = job.schedule_result
        parts.append(
            f"{status_name(r.status)} objective {fmt_number(r.objective if r.HasField('objective') else None)}"
        )
    elif job.HasField("forecast_result"):
        f = job.forecast_result
        parts.append(f"forecast {len(f.series)} series, {len(f.failures)} failed, horizon {f.horizon}")
    elif job.HasField("inventory_result"):
        r = job.inventory_result
        parts.append(
            f"lot sizing {plan_status_name(r.status)} cost "
            f"{fmt_number(r.objective if r.HasField('objective') else None)}"
        )
    elif job.HasField("plan_result"):
        r = job.plan_result
        parts.append(
            f"plan {r.plan_id} v{r.version}: {r.num_orders} orders, {r.num_operations} operations, "
            f"schedule {r.kpis.schedule_status or '-'}, OTIF {fmt_number(r.kpis.otif_pct)} %"
        )
    elif job.HasField("progress") and job.progress.series_total:
        parts.append(f"{job.progress.series_done} of {job.progress.series_total} series")
    elif job.HasField("progress") and job.progress.stage and not job.progress.num_solutions:
        parts.append(f"stage {job.progress.stage}")
    elif job.HasField("progress"):
        p = job.progress
        stage = f"stage {p.stage}: " if p.stage else ""
        parts.append(
            f"{stage}objective {fmt_number(p.objective)} bound {fmt_number(p.bound)} gap {fmt_percent(p.gap)}"
        )
    if job.error:
        parts.append(job.error)
    return "  ".join(parts)


def _job_done(job: Any) -> bool:
    """Whether a finished job succeeded with a result of its kind (schedule, forecast or plan)."""
    if job.state != 3:  # JOB_STATE_SUCCEEDED
        return False
    if job.HasField("forecast_result"):
        return len(job.forecast_result.series) > 0
    if job.HasField("inventory_result"):
        return len(job.inventory_result.items) > 0
    if job.HasField("plan_result"):
        return job.plan_result.num_operations > 0
    return len(job.schedule_result.schedule) > 0


def _follow(client: Any, job_id: str, label: str) -> Any:
    """Wait for a job, showing its progress on stderr; returns the finished job."""
    from planner.client import state_name

    def show(event: Any) -> None:
        kind = event.WhichOneof("event")
        if kind == "progress" and event.progress.stage and not event.progress.num_solutions:
            err_console.print(f"{label}: stage {event.progress.stage}", highlight=False)
        elif kind == "progress" and event.progress.series_total:
            p = event.progress
            err_console.print(f"{label}: {p.series_done} of {p.series_total} series", highlight=False)
        elif kind == "progress":
            p = event.progress
            err_console.print(
                f"{label}: objective {fmt_number(p.objective)} bound {fmt_number(p.bound)} gap {fmt_percent(p.gap)}"
                f" after {p.runtime_seconds:.1f} s",
                highlight=False,
            )
        elif kind == "state_change":
            message = f" ({event.state_change.message})" if event.state_change.message else ""
            err_console.print(f"{label}: {state_name(event.state_change.state)}{message}", highlight=False)

    return client.wait(job_id, on_event=show)


def _write_job_result(
    job: Any, data: ProblemData, path: Path | None, out: Path, settings: dict[str, Any]
) -> None:
    """Write ``<name>.schedule.csv`` and ``<name>.result.json`` as `planner solve --out` does."""
    from planner.client import PlannerClient
    from planner.scheduling.output import write_result_json, write_schedule_csv

    if not job.HasField("schedule_result"):
        return
    result = PlannerClient.to_result(job.schedule_result)
    name = data.name or job.name or job.job_id
    bks = _best_known(path, data) if path is not None else None
    bks_gap = _bks_gap(result, data, bks) if bks is not None else None
    extra = {
        "file": str(path) if path is not None else None,
        "best_known": _bks_dict(bks),
        "gap_to_best_known": None if bks_gap is None else round(bks_gap, 6),
        "settings": settings,
        "job_id": job.job_id,
    }
    _write("folder", out, _make_folder, out)
    if result.schedule is not None:
        csv_path = out / f"{name}.schedule.csv"
        _write("schedule", csv_path, write_schedule_csv, result.schedule, csv_path)
    json_path = out / f"{name}.result.json"
    _write("result", json_path, write_result_json, result, data, json_path, extra)


@main.command("submit", short_help="Send instance files to a planner service as durable jobs.")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--format",
    "file_format",
    type=click.Choice(INSTANCE_FORMATS),
    default=None,
    help="Format of the files (default: from extension and content).",
)
@click.option("--time-limit", type=float, default=0.0, help="Seconds per solve (0: the server's default).")
@click.option("--workers", type=int, default=0, help="CP-SAT threads per solve (0: the server's default).")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option(
    "--solver", "solver_name", type=click.Choice(["cpsat", "dispatch"]), default="cpsat", show_default=True
)
@click.option(
    "--request-id", default="", help="Idempotency key (with several files, FILE's stem is appended)."
)
@click.option("--wait", is_flag=True, help="Follow the jobs until they end, showing progress.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="With --wait: write <name>.schedule.csv and <name>.result.json here.",
)
@_client_options
def submit_command(
    files: tuple[Path, ...],
    file_format: str | None,
    time_limit: float,
    workers: int,
    seed: int,
    solver_name: str,
    request_id: str,
    wait: bool,
    out: Path | None,
    server: str,
    token: str,
    ca_file: Path | None,
    cert_file: Path | None,
    key_file: Path | None,
) -> None:
    """Submit each FILE as a job; print each job id on a line of its own (and nothing else on stdout).

    With --wait, follow the jobs (progress on stderr) and, with --out, write the same files as
    `planner solve --out`. Exit code 0 when every job succeeded with a schedule, 1 otherwise.
    """
    from planner.formats import read_instance

    if out is not None and not wait:
        fail("--out needs --wait")
    datas = [read_instance(path, format=file_format) for path in files]  # bad files fail before submitting
    jobs = []
    with _client(server, token, ca_file, cert_file, key_file) as client:
        for path in files:
            key = f"{request_id}-{path.stem}" if request_id and len(files) > 1 else request_id
            job = client.start_solve(
                path,
                format=file_format or "",
                time_limit=time_limit,
                num_workers=workers,
                seed=seed,
                solver=solver_name,
                request_id=key,
            )
            click.echo(job.job_id)
            jobs.append(job)
        if not wait:
            return
        settings = {
            "time_limit": time_limit,
            "workers": workers,
            "seed": seed,
            "solver": solver_name,
            "server": server,
        }
        failed = 0
        for path, data, job in zip(files, datas, jobs, strict=True):
            done = _follow(client, job.job_id, data.name or path.stem)
            err_console.print(_job_line(done), highlight=False, soft_wrap=True)
            if done.state != 3 or not done.schedule_result.schedule:  # JOB_STATE_SUCCEEDED
                failed += 1
            if out is not None:
                _write_job_result(done, data.replace(name=data.name or path.stem), path, out, settings)
    if failed:
        raise click.exceptions.Exit(EXIT_NO_SOLUTION)


@main.group("jobs", short_help="List, inspect, cancel and wait for jobs on a planner service.")
def jobs_group() -> None:
    """Jobs on a planner service."""


@jobs_group.command("list")
@click.option(
    "--state", type=click.Choice(["queued", "running", "succeeded", "failed", "cancelled"]), default=None
)
@click.option(
    "--kind",
    type=click.Choice(["schedule", "forecast", "inventory", "plan"]),
    default=None,
    help="Only jobs of this kind.",
)
@click.option(
    "--limit", type=int, default=50, show_default=True, help="Show at most this many (newest first)."
)
@_client_options
def jobs_list_command(
    state: str | None,
    kind: str | None,
    limit: int,
    server: str,
    token: str,
    ca_file: Path | None,
    cert_file: Path | None,
    key_file: Path | None,
) -> None:
    """List jobs, newest first: id, state, name and result or progress."""
    from planner.api.v1 import planner_service_pb2 as pb

    state_value = pb.JobState.Value(f"JOB_STATE_{state.upper()}") if state else 0
    kind_value = pb.JobKind.Value(f"JOB_KIND_{kind.upper()}") if kind else 0
    with _client(server, token, ca_file, cert_file, key_file) as client:
        for job in client.list_jobs(state=state_value, kind=kind_value, limit=limit):
            click.echo(_job_line(job))


@jobs_group.command("get")
@click.argument("job_id")
@_client_options
def jobs_get_command(
    job_id: str, server: str, token: str, ca_file: Path | None, cert_file: Path | None, key_file: Path | None
) -> None:
    """Show a job as JSON (with its schedule when finished)."""
    from google.protobuf import json_format

    with _client(server, token, ca_file, cert_file, key_file) as client:
        job = client.get_job(job_id)
    click.echo(json_format.MessageToJson(job, indent=2))


@jobs_group.command("cancel")
@click.argument("job_id")
@_client_options
def jobs_cancel_command(
    job_id: str, server: str, token: str, ca_file: Path | None, cert_file: Path | None, key_file: Path | None
) -> None:
    """Cancel a job; a running solve stops and keeps its best schedule."""
    with _client(server, token, ca_file, cert_file, key_file) as client:
        job = client.cancel_job(job_id)
    click.echo(_job_line(job))


@jobs_group.command("wait")
@click.argument("job_id")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write the result here: <name>.schedule.csv and <name>.result.json (schedules), "
    "<name>.forecast.csv (forecasts), <name>.plan.csv and <name>.result.json (lot sizing), "
    "the plan folder (whole plans: plan.json, versions/, CSV tables).",
)
@_client_options
def jobs_wait_command(
    job_id: str,
    out: Path | None,
    server: str,
    token: str,
    ca_file: Path | None,
    cert_file: Path | None,
    key_file: Path | None,
) -> None:
    """Wait for a job to end (reconnecting if the server restarts), showing progress on stderr."""
    with _client(server, token, ca_file, cert_file, key_file) as client:
        done = _follow(client, job_id, job_id[:8])
        click.echo(_job_line(done))
        if out is not None and done.HasField("forecast_result"):
            _write("folder", out, _make_folder, out)
            _write_forecast_job(done, out / f"{_file_name(done.name or job_id)}.forecast.csv")
        elif out is not None and done.HasField("inventory_result"):
            problem = client.get_job(job_id, include_instance=True).lotsizing_problem
            _write_plan_job(done, problem, out, {"server": server})
        elif out is not None and done.HasField("plan_result"):
            _write_plan_folder(client, done.plan_result.plan_id, out)
        elif out is not None:
            data = client.to_problem(client.get_job(job_id, include_instance=True).instance)
            _write_job_result(done, data, None, out, {"server": server})
    if not _job_done(done):
        raise click.exceptions.Exit(EXIT_NO_SOLUTION)


def _file_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_.+" else "_" for c in name)


def _write_forecast_job(job: Any, path: Path | None) -> None:
    """Write a forecast job's table as `planner forecast --out` does; list its failed series on stderr."""
    from planner.client import PlannerClient

    result = job.forecast_result
    for failure in result.failures:
        err_console.print(
            Text(f"{failure.unique_id}: not forecast: {'; '.join(failure.errors)}", style="yellow"),
            soft_wrap=True,
        )
    if result.series:
        _write_forecast_csv(PlannerClient.to_forecast_frame(result), path)


def _write_plan_job(job: Any, problem: Any, out: Path, settings: dict[str, Any]) -> None:
    """Write ``<name>.plan.csv`` and ``<name>.result.json`` of a lot-sizing job, as `planner lotsize --out`.

    ``problem`` is the job's ``LotSizingProblem`` (GetJob with ``include_instance``).
    """
    import json

    from google.protobuf import json_format

    from planner.client import plan_status_name

    result = job.inventory_result
    name = _file_name(result.instance_name or job.name or job.job_id)
    _write("folder", out, _make_folder, out)
    doc = {
        "instance": result.instance_name,
        "status": plan_status_name(result.status),
        "objective": result.objective if result.HasField("objective") else None,
        "bound": result.bound if result.HasField("bound") else None,
        "gap": result.gap if result.HasField("gap") else None,
        "runtime": result.runtime_seconds,
        "backend": result.backend,
        "costs": json_format.MessageToDict(result.costs, always_print_fields_with_no_presence=True)
        if result.HasField("costs")
        else None,
        "shortfall": {
            kind: sum(s.quantity for s in result.shortfalls if s.kind == kind)
            for kind in ("late", "unmet", "lost", "safety_stock")
        },
        "explanation": list(result.explanation),
        "checker": {"ok": result.check.ok, "violations": list(result.check.violations)}
        if result.HasField("check")
        else None,
        "notes": list(result.notes),
        "job_id": job.job_id,
        "settings": settings,
    }
    json_path = out / f"{name}.result.json"
    _write("result", json_path, lambda p: p.write_text(json.dumps(doc, indent=2) + "\n"), json_path)
    if not result.items:
        return
    from planner.client import PlannerClient
    from planner.inventory.output import write_plan_csv

    data = PlannerClient.to_lotsizing_data(problem)
    plan = PlannerClient.to_plan(result)
    csv_path = out / f"{name}.plan.csv"
    _write("plan", csv_path, write_plan_csv, data, plan, csv_path)


@main.command("submit-forecast", short_help="Send a demand history to a planner service as a forecast job.")
@click.argument("history", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--horizon", type=int, required=True, help="Periods to forecast.")
@click.option(
    "--freq",
    type=click.Choice(["D", "W", "M", "Q"], case_sensitive=False),
    default=None,
    help="Frequency (default: detected from the dates).",
)
@click.option(
    "--quantiles", default="0.1,0.5,0.9", show_default=True, help="Quantile levels (0.1, 0.5, 0.9 always)."
)
@click.option(
    "--future",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Future regressor values (unique_id,ds and the regressor columns), CSV or Parquet.",
)
@click.option("--country", default="", help="Country code for Prophet's holidays (daily and weekly data).")
@click.option("--models", default="", help="Candidate models, comma-separated (default: the engine's set).")
@click.option("--windows", type=int, default=None, help="Rolling-origin backtest windows (default 2).")
@click.option("--request-id", default="", help="Idempotency key.")
@click.option("--wait", is_flag=True, help="Follow the job until it ends, showing progress.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="With --wait: write the forecast CSV here (unique_id,ds,yhat,q10,...,model); default stdout.",
)
@_client_options
def submit_forecast_command(
    history: Path,
    horizon: int,
    freq: str | None,
    quantiles: str,
    future: Path | None,
    country: str,
    models: str,
    windows: int | None,
    request_id: str,
    wait: bool,
    out: Path | None,
    server: str,
    token: str,
    ca_file: Path | None,
    cert_file: Path | None,
    key_file: Path | None,
) -> None:
    """Submit the demand HISTORY (CSV or Parquet: unique_id,ds,y[,regressors]) as a forecast job.

    Prints the job id (and nothing else on stdout without --wait). With --wait, follows the job and writes
    the forecast like `planner forecast`; series that could not be forecast are listed on stderr. Exit code
    0 when the job succeeded with at least one forecast series, 1 otherwise, 2 on bad input. Feed the job
    id to `planner submit-lotsize --forecast-job` to plan production for the forecast demand.
    """
    if out is not None and not wait:
        fail("--out needs --wait")
    levels = _parse_quantiles(quantiles)
    with _client(server, token, ca_file, cert_file, key_file) as client:
        job = client.start_forecast(
            history,
            horizon,
            future=future,
            request_id=request_id,
            freq=(freq or "").upper(),
            quantiles=levels,
            country=country,
            models=tuple(m.strip() for m in models.split(",") if m.strip()),
            num_windows=windows,
        )
        if not wait:
            click.echo(job.job_id)
            return
        err_console.print(f"job {job.job_id}", highlight=False)
        done = _follow(client, job.job_id, history.stem)
        err_console.print(_job_line(done), highlight=False, soft_wrap=True)
        if done.HasField("forecast_result"):
            _write_forecast_job(done, out)
    if not _job_done(done):
        raise click.exceptions.Exit(EXIT_NO_SOLUTION)


@main.command("submit-lotsize", short_help="Send lot-sizing files to a planner service as durable jobs.")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--forecast-job",
    default="",
    help="Id of a finished forecast job: items take the demand of the series with their name.",
)
@click.option(
    "--service-level",
    type=float,
    default=None,
    help="Safety stock = quantile(level) - median of the forecast, for items without safety stock.",
)
@click.option(
    "--demand-quantile",
    type=float,
    default=None,
    help="Plan for this quantile of the forecast instead of its point forecast.",
)
@click.option(
    "--backlog-penalty", type=float, default=None, help="Backlog cost per unit and period of items with none."
)
@click.option("--backend", type=click.Choice(["ortools", "pulp"]), default="ortools", show_default=True)
@click.option("--time-limit", type=float, default=0.0, help="Seconds per solve (0: the server's default).")
@click.option("--threads", type=int, default=0, help="MIP threads (0: the server's default).")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option(
    "--request-id", default="", help="Idempotency key (with several files, FILE's stem is appended)."
)
@click.option("--wait", is_flag=True, help="Follow the jobs until they end.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="With --wait: write <name>.plan.csv and <name>.result.json here.",
)
@_client_options
def submit_lotsize_command(
    files: tuple[Path, ...],
    forecast_job: str,
    service_level: float | None,
    demand_quantile: float | None,
    backlog_penalty: float | None,
    backend: str,
    time_limit: float,
    threads: int,
    seed: int,
    request_id: str,
    wait: bool,
    out: Path | None,
    server: str,
    token: str,
    ca_file: Path | None,
    cert_file: Path | None,
    key_file: Path | None,
) -> None:
    """Submit each lot-sizing FILE (Trigeiro .DAT or native JSON) as a job; print each job id.

    With --forecast-job, the items whose name is a series of that finished forecast job plan for its
    forecast. With --wait, follow the jobs and, with --out, write the files `planner lotsize --out` writes
    (plan CSV and result JSON). Exit code 0 when every job succeeded with a plan, 1 otherwise.
    """
    from planner.formats.lotsizing_native import read_lotsizing

    if out is not None and not wait:
        fail("--out needs --wait")
    for path in files:
        read_lotsizing(path)  # a bad file fails before submitting
    jobs = []
    with _client(server, token, ca_file, cert_file, key_file) as client:
        for path in files:
            key = f"{request_id}-{path.stem}" if request_id and len(files) > 1 else request_id
            job = client.start_plan_inventory(
                path,
                forecast_job_id=forecast_job,
                service_level=service_level,
                demand_quantile=demand_quantile,
                backlog_penalty=backlog_penalty,
                backend=backend,
                time_limit=time_limit,
                num_threads=threads,
                seed=seed,
                request_id=key,
            )
            click.echo(job.job_id)
            jobs.append(job)
        if not wait:
            return
        settings = {"time_limit": time_limit, "threads": threads, "backend": backend, "server": server}
        failed = 0
        for path, job in zip(files, jobs, strict=True):
            done = _follow(client, job.job_id, path.stem)
            err_console.print(_job_line(done), highlight=False, soft_wrap=True)
            for line in done.inventory_result.explanation:
                err_console.print(Text(f"{path.stem}: {line}", style="yellow"), soft_wrap=True)
            if not _job_done(done):
                failed += 1
            if out is not None and done.HasField("inventory_result"):
                problem = client.get_job(job.job_id, include_instance=True).lotsizing_problem
                _write_plan_job(done, problem, out, settings)
    if failed:
        raise click.exceptions.Exit(EXIT_NO_SOLUTION)


def _write_plan_folder(client: Any, plan_id: str, out: Path, version: int = 0) -> None:
    """Write a stored plan version as a plan folder (plan.json, versions/, CSV tables) that `planner
    export`, `approve` and `release` work on."""
    from planner.planning.report import write_tables
    from planner.planning.versions import PlanStore

    plan = client.to_plan_object(client.get_plan(plan_id, version))
    _write("folder", out, _make_folder, out)
    _write("plan", out / "plan.json", PlanStore(out).save, plan)
    _write("tables", out, write_tables, plan, out)
    err_console.print(f"plan {plan.plan_id} version {plan.version} written to {out}/", highlight=False)


@main.command("submit-plan", short_help="Send a plant, demand and orders to a planner service as a plan job.")
@click.argument(
    "plant_path", metavar="PLANT.json", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--demand",
    "demand_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Demand history CSV/Parquet (unique_id = product id, ds, y).",
)
@click.option(
    "--orders",
    "orders_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Firm customer orders CSV: order_id,product,quantity,due[,options][,priority].",
)
@click.option(
    "--time-limit", type=float, default=0.0, help="Seconds per scheduling solve (0: server default)."
)
@click.option("--lot-time-limit", type=float, default=0.0, help="Seconds for lot sizing (0: server default).")
@click.option("--workers", type=int, default=0, help="Solver threads (0: the server's default).")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option(
    "--forecast-model",
    "forecast_models",
    multiple=True,
    help="Forecast candidate (repeatable; default: fast set).",
)
@click.option("--request-id", default="", help="Idempotency key.")
@click.option("--wait", is_flag=True, help="Follow the job until it ends.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="With --wait: write the plan folder here (plan.json, versions/, CSV tables).",
)
@_client_options
def submit_plan_command(
    plant_path: Path,
    demand_path: Path | None,
    orders_path: Path | None,
    time_limit: float,
    lot_time_limit: float,
    workers: int,
    seed: int,
    forecast_models: tuple[str, ...],
    request_id: str,
    wait: bool,
    out: Path | None,
    server: str,
    token: str,
    ca_file: Path | None,
    cert_file: Path | None,
    key_file: Path | None,
) -> None:
    """Submit the whole plan of PLANT.json (forecast, lot sizing, schedule) as a durable job; print its id.

    With --wait, follow its stages and improving schedules on stderr; with --out, write the plan folder
    (`planner export`, `approve` and `release` work on it; the service keeps every version, see
    `planner jobs wait`). Exit code 0 when the job made a plan with a schedule, 1 otherwise.
    """
    from planner.client import PlannerClient

    if out is not None and not wait:
        fail("--out needs --wait")
    settings = PlannerClient.plan_settings(
        time_limit=time_limit,
        lot_time_limit=lot_time_limit,
        num_workers=workers,
        seed=seed,
        forecast_models=forecast_models,
    )
    with _client(server, token, ca_file, cert_file, key_file) as client:
        job = client.create_plan(
            plant_path, history=demand_path, orders=orders_path, settings=settings, request_id=request_id
        )
        click.echo(job.job_id)
        if not wait:
            return
        done = _follow(client, job.job_id, plant_path.stem)
        err_console.print(_job_line(done), highlight=False, soft_wrap=True)
        if out is not None and done.HasField("plan_result"):
            _write_plan_folder(client, done.plan_result.plan_id, out)
    if not _job_done(done):
        raise click.exceptions.Exit(EXIT_NO_SOLUTION)


# ---------------------------------------------------------------------------------------------------------
# planner lotsize
# ---------------------------------------------------------------------------------------------------------


def _with_lost_sales(data: Any, penalty: float) -> Any:
    """``data`` with every item losing unmet demand at ``penalty`` per unit and backlogging none."""
    import dataclasses

    items = tuple(
        dataclasses.replace(item, backlog_penalty=None, lost_sales_penalty=penalty) for item in data.items
    )
    return dataclasses.replace(data, items=items)


@main.command("lotsize", short_help="Plan production lot sizes (Trigeiro .DAT or native JSON).")
@click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path),
)
@click.option(
    "-t",
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,
    show_default=True,
    help="Wall-clock limit per file, in seconds.",
)
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Solver threads (CBC uses them; SCIP is single-threaded).",
)
@click.option(
    "--backend",
    type=click.Choice(["ortools", "pulp"]),
    default="ortools",
    show_default=True,
    help="ortools: SCIP through OR-Tools; pulp: CBC through PuLP.",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed of the solver.")
@click.option(
    "-o",
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for <name>.plan.csv (item,period,produce,setup,inventory,backlog,safety_stock,lost; "
    "0-based), <name>.result.json (status, objective, bound, gap, cost breakdown) and <name>.plan.png.",
)
@click.option(
    "--lost-sales",
    "lost_sales",
    type=click.FloatRange(min=0),
    default=None,
    metavar="PENALTY",
    help="Let every item lose unmet demand at PENALTY per unit (instead of the file's backlog rule).",
)
def lotsize_command(
    files: tuple[Path, ...],
    time_limit: float,
    threads: int,
    backend: str,
    seed: int,
    out: Path | None,
    lost_sales: float | None,
) -> None:
    """Plan how much of each item to make in each period, for the lot-sizing problem in each FILE.

    FILE is a Trigeiro .DAT file or a native JSON instance (.json). Minimises setup + holding + backlog
    or lost-sales (+ overtime) cost. Ctrl-C stops the current solve and keeps its best plan. Exit code 0 when every file
    got a plan, 1 when some did not, 2 on bad input.
    """
    from rich import box
    from rich.table import Table

    from planner.formats.lotsizing_native import read_lotsizing
    from planner.formats.trigeiro import trigeiro_best_known
    from planner.inventory import Solver as LotSizingSolver
    from planner.inventory.output import plot_plan, write_plan_csv, write_result_json

    datas = [read_lotsizing(path) for path in files]  # a bad file fails before any solving
    if lost_sales is not None:
        datas = [_with_lost_sales(data, lost_sales) for data in datas]
    if out is not None:
        _write("folder", out, _make_folder, out)
    # Short headers so that the table fits 80 columns; "to best" is the gap to the best-known value.
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    for header in ("instance", "status", "objective", "bound", "gap", "best known", "to best", "seconds"):
        table.add_column(
            header, justify="left" if header in ("instance", "status") else "right", no_wrap=True
        )
    notes: list[str] = []
    missing = 0
    for path, data in zip(files, datas, strict=True):
        name = data.name or path.stem
        solver = LotSizingSolver(backend)
        with _stop_on_interrupt(solver), console.status(f"solving {name} ({backend}, {time_limit:g} s)"):  # type: ignore[arg-type]
            result = solver.solve(data, time_limit=time_limit, num_threads=threads, seed=seed)
        best = None if path.suffix.lower() == ".json" else trigeiro_best_known(path, data)
        gap_best = result.objective / best - 1.0 if result.objective is not None and best else None
        table.add_row(
            name,
            result.status.value,
            fmt_number(result.objective),
            fmt_number(result.bound),
            fmt_percent(result.gap),
            fmt_number(best),
            fmt_percent(gap_best),
            f"{result.runtime:.1f}",
        )
        notes.extend(f"{name}: {line}" for line in result.explanation)
        if result.plan is None:
            missing += 1
        if out is not None:
            file_name = "".join(c if c.isalnum() or c in "-_.+" else "_" for c in name)
            extra = {"file": str(path), "time_limit": time_limit, "threads": threads, "best_known": best}
            _write(
                "result",
                out / f"{file_name}.result.json",
                write_result_json,
                data,
                result,
                out / f"{file_name}.result.json",
                extra,
            )
            if result.plan is not None:
                _write(
                    "plan",
                    out / f"{file_name}.plan.csv",
                    write_plan_csv,
                    data,
                    result.plan,
                    out / f"{file_name}.plan.csv",
                )
                _write(
                    "plot",
                    out / f"{file_name}.plan.png",
                    plot_plan,
                    data,
                    result,
                    out / f"{file_name}.plan.png",
                )
    console.print(table)
    for note in notes:
        console.print(Text(note, style="yellow"), soft_wrap=True)
    if missing:
        raise click.exceptions.Exit(EXIT_NO_SOLUTION)


# ---------------------------------------------------------------------------------------------------------
# planner forecast
# ---------------------------------------------------------------------------------------------------------


def _parse_quantiles(text: str) -> tuple[float, ...]:
    """``"0.1,0.5,0.9"`` -> ``(0.1, 0.5, 0.9)``; a bad list is a user error naming the option."""
    try:
        values = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise PlannerError(f"--quantiles must be numbers separated by commas, got {text!r}") from None
    if not values or any(not 0.0 < q < 1.0 for q in values):
        raise PlannerError(f"--quantiles must be numbers strictly between 0 and 1, got {text!r}")
    return values


def _write_forecast_csv(frame: Any, path: Path | None) -> None:
    out = frame.copy()
    out["ds"] = out["ds"].dt.strftime("%Y-%m-%d")
    if path is None:
        console.file.write(out.to_csv(index=False, float_format="%.6g"))
    else:
        _write("forecast", path, lambda p: out.to_csv(p, index=False, float_format="%.6g"), path)


@main.command("forecast", short_help="Forecast demand per series with calibrated quantiles.")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--horizon",
    "horizon",
    type=int,
    default=None,
    help="Periods to forecast (required unless --evaluate, where the test length is used).",
)
@click.option(
    "--freq",
    type=click.Choice(["D", "W", "M", "Q"], case_sensitive=False),
    default=None,
    help="Daily, weekly, monthly or quarterly; detected from the dates when omitted.",
)
@click.option(
    "--quantiles",
    default="0.1,0.5,0.9",
    show_default=True,
    help="Quantile levels (q10, q50 and q90 are always written).",
)
@click.option("--workers", type=int, default=None, help="Local worker processes (default: every CPU).")
@click.option(
    "--dask-address",
    envvar="PLANNER_DASK_ADDRESS",
    default=None,
    help="Run on a Dask cluster (scheduler address; env PLANNER_DASK_ADDRESS).",
)
@click.option(
    "--country", default=None, help="Country code for holidays in Prophet (daily/weekly data), e.g. DE."
)
@click.option(
    "--future",
    "future_path",
    type=click.Path(path_type=Path),
    default=None,
    help="CSV/Parquet with future regressor values (unique_id, ds, regressors) for the horizon.",
)
@click.option("--windows", type=int, default=2, show_default=True, help="Rolling-origin backtest windows.")
@click.option(
    "--fast",
    is_flag=True,
    help="Leave AutoARIMA (about four fifths of the fitting time) out of the candidates.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Forecast CSV (unique_id,ds,yhat,q10,q50,q90,model); stdout when omitted.",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Per-series report CSV: chosen model, backtest sMAPE, reason, errors.",
)
@click.option(
    "--plot",
    "plot_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder for one PNG per series (history, forecast, q10-q90 band).",
)
@click.option(
    "--evaluate", is_flag=True, help="FILES are TRAIN.csv TEST.csv: forecast TRAIN and score it against TEST."
)
def forecast_command(
    files: tuple[Path, ...],
    horizon: int | None,
    freq: str | None,
    quantiles: str,
    workers: int | None,
    dask_address: str | None,
    country: str | None,
    future_path: Path | None,
    windows: int,
    fast: bool,
    out: Path | None,
    report_path: Path | None,
    plot_dir: Path | None,
    evaluate: bool,
) -> None:
    """Forecast every series of HISTORY (CSV or Parquet: unique_id,ds,y[,regressors...]).

    Each series gets Prophet, ETS, Theta, DOTM, CES, ARIMA, seasonal naive (Croston/SBA and TSB for
    intermittent demand) and their combinations compared in a rolling-origin backtest; the chosen model
    and the reason are reported. Quantiles are calibrated on the backtest residuals. Series with bad data are
    reported and skipped. With --evaluate, `planner forecast --evaluate TRAIN.csv TEST.csv` scores the
    forecast against held-out actuals (sMAPE, MASE, bias, coverage, pinball). Exit code 0 when every
    series got a forecast, 1 when some did not, 2 on bad input.
    """
    import pandas as pd
    from rich import box
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from planner.compute import get_executor
    from planner.forecasting import SEASON_LENGTH, forecast, read_history
    from planner.forecasting import evaluate as evaluate_forecast
    from planner.forecasting.plots import plot_forecasts

    if evaluate and len(files) != 2:
        raise PlannerError("--evaluate needs two files: TRAIN.csv TEST.csv")
    if not evaluate and len(files) != 1:
        raise PlannerError("give one HISTORY file (or --evaluate TRAIN.csv TEST.csv)")
    levels = _parse_quantiles(quantiles)
    history = read_history(files[0])
    test = read_history(files[1]) if evaluate else None
    if horizon is None:
        if test is None:
            raise PlannerError("--horizon is required")
        horizon = int(test.groupby("unique_id").size().max())
    if horizon < 1:
        raise PlannerError(f"--horizon must be >= 1, got {horizon}")
    if windows < 0:
        raise PlannerError(f"--windows must be >= 0, got {windows}")
    future = read_history(future_path, required=("unique_id", "ds")) if future_path is not None else None

    executor = get_executor(num_workers=workers, dask_address=dask_address)
    columns = (
        TextColumn("[bold]forecasting"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("series"),
        TimeElapsedColumn(),
    )
    started = time.monotonic()
    try:
        with Progress(*columns, console=err_console, transient=True) as bar:
            task = bar.add_task("forecast", total=None)

            def on_progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            result = forecast(
                history,
                horizon,
                freq=freq.upper() if freq else None,
                quantiles=levels,
                future=future,
                country=country,
                num_windows=windows,
                executor=executor,
                progress=on_progress,
                preset="fast" if fast else "default",
            )
    finally:
        executor.close()
    seconds = time.monotonic() - started
    num_ok = len(result.reports) - len(result.failed)
    err_console.print(
        f"{num_ok} of {len(result.reports)} series forecast ({result.freq}, horizon {horizon}) in {seconds:.1f} s "
        f"on {executor.description}",
        highlight=False,
    )
    if out is not None or not evaluate:
        _write_forecast_csv(result.forecast, out)
    if report_path is not None:
        _write("report", report_path, lambda p: result.report_frame().to_csv(p, index=False), report_path)
    if plot_dir is not None:
        _write("plots", plot_dir, lambda p: plot_forecasts(history, result.forecast, p), plot_dir)
    for rep in result.failed[:20]:
        err_console.print(Text(f"{rep.unique_id}: {'; '.join(rep.errors)}", style="yellow"), soft_wrap=True)
    if len(result.failed) > 20:
        err_console.print(Text(f"... and {len(result.failed) - 20} more failed series", style="yellow"))

    if test is not None:
        test_df = test.assign(y=pd.to_numeric(test["y"], errors="coerce"))
        train_df = history.assign(y=pd.to_numeric(history["y"], errors="coerce"))
        scores = evaluate_forecast(result.forecast, test_df, train_df, SEASON_LENGTH[result.freq])
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title="forecast accuracy on the held-out data")
        cover = [c for c in scores.overall if c.startswith("coverage_")]
        for header in ("model", "series", "sMAPE", "MASE", "bias %", *cover, "pinball"):
            table.add_column(header, justify="left" if header == "model" else "right", no_wrap=True)

        def _row(name: str, frame: Any, overall: dict[str, float] | None = None) -> None:
            agg = overall or {
                "num_series": float(len(frame)),
                "smape": frame["smape"].mean(),
                "mase": frame["mase"].mean(),
                "bias": frame["bias"].mean(),
                **{c: frame[c].mean() for c in cover},
                "pinball": frame["pinball"].mean() if "pinball" in frame else float("nan"),
            }
            table.add_row(
                name,
                fmt_number(agg["num_series"]),
                f"{agg['smape']:.2f}",
                f"{agg['mase']:.3f}",
                f"{agg['bias']:.2f}",
                *[fmt_percent(agg.get(c)) for c in cover],
                f"{agg.get('pinball', float('nan')):.3f}",
            )

        _row("all (selected)", scores.per_series, scores.overall)
        if "model" in scores.per_series:
            for name, group in sorted(scores.per_series.groupby("model"), key=lambda kv: -len(kv[1])):
                _row(f"  {name}", group)
        wide = console if console.is_terminal else Console(file=console.file, width=160, highlight=False)
        wide.print(table)
        console.print(
            f"{num_ok / max(seconds, 1e-9):.2f} series/s, {seconds / max(num_ok, 1):.3f} s per series",
            highlight=False,
        )
    if result.failed:
        raise click.exceptions.Exit(EXIT_NO_SOLUTION)


# ---------------------------------------------------------------------------------------------------------
# planner plan
# ---------------------------------------------------------------------------------------------------------


@main.command("plan", short_help="Plan a plant end to end: forecast, lot sizing, energy-aware schedule.")
@click.argument("plant_path", metavar="PLANT.json", type=click.Path(path_type=Path))
@click.option(
    "--demand",
    "demand_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Demand history CSV/Parquet (unique_id = product id, ds, y).",
)
@click.option(
    "--orders",
    "orders_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Firm customer orders CSV: order_id,product,quantity,due[,options][,priority].",
)
@click.option(
    "--scenario",
    "scenario_path",
    type=click.Path(path_type=Path),
    default=None,
    help="What-if scenarios JSON: solve the base and each scenario, KPIs side by side.",
)
@click.option(
    "--time-limit",
    type=float,
    default=10.0,
    show_default=True,
    help="Seconds per scheduling solve (tariff-blind and energy-aware).",
)
@click.option("--lot-time-limit", type=float, default=10.0, show_default=True, help="Seconds for lot sizing.")
@click.option("--workers", type=int, default=None, help="Solver threads (default: up to 8 CPUs).")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed of the solvers.")
@click.option(
    "--service-level",
    type=float,
    default=None,
    help="Cycle service level for products whose stock settings name none (e.g. 0.95).",
)
@click.option(
    "--makespan-tolerance",
    default="0.10",
    show_default=True,
    callback=lambda _ctx, _param, value: _tolerance(value),
    help="The energy-aware schedule ends at most this much later than the tariff-blind one (relative, "
    "e.g. 0.05; its total weighted tardiness is bounded alike); 'none' leaves it unbounded.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="Plan folder: plan.json, CSVs, gantt.html/png, inventory.png, report.html.",
)
def plan_command(
    plant_path: Path,
    demand_path: Path | None,
    orders_path: Path | None,
    scenario_path: Path | None,
    time_limit: float,
    lot_time_limit: float,
    workers: int | None,
    seed: int,
    service_level: float | None,
    makespan_tolerance: float | None,
    out: Path,
) -> None:
    """Make the whole plan of PLANT.json: forecast the demand history with quantiles, size the lots per
    period against the machine calendars (safety stock, BOM, purchases), schedule the lots of the first
    days and the customer orders (with their options) on the machines, energy-aware when the plant has an
    energy section, and write the plan folder. Prints the KPIs and where the report is. Exit code 0 with a
    schedule, 1 when no schedule was found in time, 2 on bad input.
    """
    from rich import box
    from rich.table import Table

    from planner.forecasting import read_history
    from planner.planning.pipeline import PlanSettings, make_plan, read_orders
    from planner.planning.plant import read_plant
    from planner.planning.report import KPI_LABELS, kpi_rows, write_plan_outputs
    from planner.planning.scenarios import COMPARED_KPIS, compare_scenarios, read_scenarios

    plant = read_plant(plant_path)
    history = read_history(demand_path) if demand_path is not None else None
    orders = read_orders(orders_path, plant) if orders_path is not None else ()
    scenarios = read_scenarios(scenario_path) if scenario_path is not None else ()
    settings = PlanSettings(
        time_limit=time_limit,
        lot_time_limit=lot_time_limit,
        num_workers=workers or _default_workers(),
        seed=seed,
        service_level=service_level,
        makespan_tolerance=makespan_tolerance,
    )
    with err_console.status(f"planning {plant.name} ..."):
        result = make_plan(plant, history, orders, settings)
    comparison = None
    if scenarios:
        with err_console.status(f"planning {len(scenarios)} scenarios ..."):
            comparison = compare_scenarios(plant, history, scenarios, orders, settings, base=result)
    files = write_plan_outputs(result, out, comparison)

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title=f"plan {plant.name}")
    table.add_column("KPI")
    table.add_column("value", justify="right")
    table.add_column("unit")
    for label, value, unit in kpi_rows(result.kpis):
        table.add_row(label, value, unit)
    console.print(table)
    stages = ", ".join(f"{k} {v:.1f} s" for k, v in result.seconds.items())
    console.print(f"stages: {stages}", highlight=False)
    if comparison is not None:
        labels = {key: label for key, label, _ in KPI_LABELS}
        shown = ("otif_pct", "makespan", "inventory_value_mean", "backlog_end", "energy_cost", "co2_kg")
        scen = Table(box=box.SIMPLE_HEAD, pad_edge=False, title="what-if scenarios")
        scen.add_column("scenario")
        for key in shown:
            scen.add_column(labels.get(key, key), justify="right")
        for row in comparison.table(COMPARED_KPIS):
            scen.add_row(row["scenario"], *[fmt_number(row[k]) if row[k] is not None else "-" for k in shown])
        console.print(scen)
    console.print(
        f"plan written to {out}/ (plan.json, CSVs, gantt.html); report: {files['report']}", highlight=False
    )
    if result.schedule_result.schedule is None:
        raise click.exceptions.Exit(EXIT_NO_SOLUTION)


# ---------------------------------------------------------------------------------------------------------
# planner export / actuals / approve / release / dispatch (MES and ERP)
# ---------------------------------------------------------------------------------------------------------


@main.command("export", short_help="Write a plan as B2MML documents (XML or JSON) or flat CSV files.")
@click.argument("plan_dir", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["b2mml-xml", "b2mml-json", "csv"]),
    required=True,
    help="B2MML V0701 XML, B2MML-JSON, or CSV files for ERPs.",
)
@click.option("--since", type=int, default=None, help="Publish only what changed since this plan version.")
@click.option("--validate", is_flag=True, help="Check every document against the B2MML schema first.")
@click.option(
    "--machine", "machines", multiple=True, help="Dispatch lists for these machines only (repeatable)."
)
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Folder for the files.")
def export_command(
    plan_dir: Path, fmt: str, since: int | None, validate: bool, machines: tuple[str, ...], out: Path
) -> None:
    """Export the plan in PLAN_DIR for MES and ERP systems.

    b2mml-xml and b2mml-json write ProcessOperationsSchedule (one OperationsRequest per order, one
    SegmentRequirement per operation) and ProcessWorkSchedule (job orders per machine in start order);
    with --since VERSION they write Change/Cancel documents holding only what moved, was added, changed
    state or was cancelled since that version. csv writes production_orders.csv, operations.csv,
    purchase_orders.csv and inventory_targets.csv (or changes.csv with --since). Exit code 2 on bad input.
    """
    from planner.interchange.export import export_plan

    try:
        paths = export_plan(plan_dir, fmt, out, since=since, validate=validate, machines=machines or None)
    except OSError as exc:
        raise PlannerError(f"cannot write to {out}: {exc.strerror or exc}") from exc
    if not paths:
        console.print(f"nothing changed since version {since}", highlight=False, soft_wrap=True)
    for path in paths:
        size = path.stat().st_size
        console.print(
            f"{path}  ({size / 1024:.1f} KiB{', valid' if validate and fmt != 'csv' else ''})",
            highlight=False,
        )


@main.command("actuals", short_help="Record what the shop floor reports (B2MML performance or CSV).")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--plan", "plan_dir", type=click.Path(path_type=Path), required=True, help="The plan directory."
)
@click.option(
    "--now", default=None, help="Current time (ISO 8601 or plan time); default: the latest reported."
)
@click.option(
    "--reschedule/--shift-only",
    default=None,
    help="Re-plan the remaining work from now with the rescheduler (as `planner replan --actuals`), or only "
    "shift late work's successors. Default: reschedule when PLAN_DIR keeps its scheduling problem "
    "(plans made by `planner plan`), else shift.",
)
@click.option("--frozen", type=int, default=0, show_default=True, help="With --reschedule: frozen minutes.")
@click.option(
    "--time-limit", type=float, default=5.0, show_default=True, help="With --reschedule: seconds to solve."
)
def actuals_command(
    file: Path, plan_dir: Path, now: str | None, reschedule: bool | None, frozen: int, time_limit: float
) -> None:
    """Apply the actuals in FILE to the plan in PLAN_DIR and store the next plan version.

    FILE is an OperationsPerformance or WorkPerformance document (XML or B2MML-JSON) or a CSV with the
    columns order,operation,machine,actual_start,actual_end,quantity_done,scrap. Reported operations
    get their actual machine, times and quantities; the remaining work is re-planned from now by the
    rescheduler (released and running work pinned; see `planner replan`) when the plan folder keeps its
    scheduling problem, or with --shift-only successors of late work are only pushed later. On any error
    the plan is left as it was (exit code 2).
    """
    from planner.interchange.export import record_actuals
    from planner.planning.replan import INSTANCE_FILE

    if reschedule is None:
        reschedule = (plan_dir / INSTANCE_FILE).exists()
    if reschedule:
        _replan_actuals(file, plan_dir, now, frozen, time_limit)
        return
    before = _current_plan(plan_dir)
    plan, actuals = record_actuals(plan_dir, file, now=now)
    moved = sum(
        1
        for (_, old), (_, new) in zip(before.operations(), plan.operations(), strict=True)
        if (old.start, old.end, old.machine) != (new.start, new.end, new.machine)
    )
    done = sum(1 for a in actuals if a.end is not None)
    console.print(
        f"{len(actuals)} actuals ({done} completed, {len(actuals) - done} running), "
        f"{moved} operations moved; plan {plan.plan_id} version {plan.version}",
        highlight=False,
        soft_wrap=True,
    )


def _current_plan(plan_dir: Path) -> Any:
    from planner.planning.versions import PlanStore

    return PlanStore(plan_dir).current()


def _change_orders(plan_dir: Path, orders: tuple[str, ...], action: str) -> None:
    from planner.interchange.export import change_orders

    plan = change_orders(plan_dir, orders, action)
    console.print(
        f"{len(orders)} order(s) {action}d: {', '.join(orders)}; plan {plan.plan_id} version {plan.version}",
        highlight=False,
        soft_wrap=True,
    )


@main.command("approve", short_help="Approve proposed orders of a plan.")
@click.argument("plan_dir", type=click.Path(path_type=Path))
@click.argument("orders", nargs=-1, required=True)
def approve_command(plan_dir: Path, orders: tuple[str, ...]) -> None:
    """Approve ORDERS (ids) of the plan in PLAN_DIR and store the next plan version."""
    _change_orders(plan_dir, orders, "approve")


@main.command("release", short_help="Release approved orders to the shop floor (pins their work).")
@click.argument("plan_dir", type=click.Path(path_type=Path))
@click.argument("orders", nargs=-1, required=True)
def release_command(plan_dir: Path, orders: tuple[str, ...]) -> None:
    """Release ORDERS (ids) of the plan in PLAN_DIR and store the next plan version.

    Released work is pinned in every re-plan and is what `planner dispatch` sends to the machines.
    """
    _change_orders(plan_dir, orders, "release")


@main.command("dispatch", short_help="Send released job orders to an OPC UA ISA-95 Job Control receiver.")
@click.argument("plan_dir", type=click.Path(path_type=Path))
@click.option("--endpoint", required=True, help="OPC UA endpoint, e.g. opc.tcp://mes.local:4840/.")
@click.option("--machine", "machines", multiple=True, help="Only these machines (repeatable; default all).")
@click.option("--start", is_flag=True, help="StoreAndStart the first job order of each machine.")
@click.option("--timeout", type=float, default=10.0, show_default=True, help="Seconds per OPC UA request.")
@click.option(
    "--collect",
    is_flag=True,
    help="First record the job responses as actuals (a new plan version), then dispatch.",
)
def dispatch_command(
    plan_dir: Path, endpoint: str, machines: tuple[str, ...], start: bool, timeout: float, collect: bool
) -> None:
    """Make the job-order receivers at ENDPOINT hold exactly the released job orders of PLAN_DIR.

    For each machine (a receiver whose EquipmentID names it; a receiver of a line serves several), job
    orders the plan no longer releases are cancelled (aborted when running), ended ones cleared, moved ones
    updated, new ones stored, in start order. With --collect the job responses are first recorded as
    actuals (late work pushes its successors) and the resulting plan version is dispatched.
    """
    import asyncio

    from planner.interchange.opcua import collect_actuals, dispatch

    plan = _current_plan(plan_dir)
    if collect:
        from planner.planning.lifecycle import apply_actuals
        from planner.planning.report import refresh_plan_folder
        from planner.planning.versions import PlanStore

        actuals = asyncio.run(collect_actuals(plan, endpoint, timeout=timeout))
        if actuals:
            now = max(max(a.start, a.end or a.start) for a in actuals)
            plan = PlanStore(plan_dir).commit(apply_actuals(plan, actuals, now))
            refresh_plan_folder(plan_dir)
            console.print(
                f"{len(actuals)} job responses recorded; plan version {plan.version}",
                highlight=False,
                soft_wrap=True,
            )
        else:
            console.print("no job responses", highlight=False, soft_wrap=True)
    report = asyncio.run(dispatch(plan, endpoint, machines=machines or None, start=start, timeout=timeout))
    for machine, line in report.summary().items():
        console.print(f"{machine}: {line}", highlight=False, soft_wrap=True)


# ---------------------------------------------------------------------------------------------------------
# planner replan
# ---------------------------------------------------------------------------------------------------------


def _replan_actuals(file: Path, plan_dir: Path, now: str | None, frozen: int, time_limit: float) -> None:
    from planner.interchange.export import record_actuals
    from planner.planning.replan import rescheduler_for
    from planner.planning.versions import diff_plans

    before = _current_plan(plan_dir)
    seam = rescheduler_for(
        plan_dir, frozen_horizon=frozen, time_limit=time_limit, num_workers=_default_workers()
    )
    with err_console.status(f"re-planning {plan_dir} ..."):
        plan, actuals = record_actuals(plan_dir, file, now=now, reschedule=seam)
    diff = diff_plans(before, plan)
    done = sum(1 for a in actuals if a.end is not None)
    console.print(
        f"{len(actuals)} actuals ({done} completed, {len(actuals) - done} running), "
        f"{len(diff.moved)} operations moved (rescheduled); plan {plan.plan_id} version {plan.version}",
        highlight=False,
        soft_wrap=True,
    )


def _run_replan(
    plan_dir: Path,
    events: list[Any],
    now: str | int,
    actuals: Any,
    frozen: int,
    time_limit: float,
    workers: int | None,
) -> None:
    from planner.planning.replan import replan

    with err_console.status(f"re-planning {plan_dir} ..."):
        result = replan(
            plan_dir,
            events,
            now=now,
            actuals=actuals,
            frozen_horizon=frozen,
            time_limit=time_limit,
            num_workers=workers or _default_workers(),
        )
    plan = result.plan
    for machine, window, new in result.dropped_breakdowns:
        shown = f"taken from {new[0]}" if new else "dropped"
        console.print(
            f"breakdown of {machine} {window[0]}-{window[1]} meets running work: {shown}",
            highlight=False,
            soft_wrap=True,
        )
    for m in result.diff.moved:
        where = m.new_machine if m.new_machine == m.old_machine else f"{m.old_machine} -> {m.new_machine}"
        console.print(
            f"moved {m.operation}: {where} {plan.datetime_at(m.old_start):%Y-%m-%d %H:%M} -> "
            f"{plan.datetime_at(m.new_start):%Y-%m-%d %H:%M} ({m.new_start - m.old_start:+d} {plan.time_unit})",
            highlight=False,
            soft_wrap=True,
        )
    for op_id in result.diff.added:
        console.print(f"added {op_id}", highlight=False, soft_wrap=True)
    for op_id in result.diff.cancelled:
        console.print(f"cancelled {op_id}", highlight=False, soft_wrap=True)
    summary = result.summary()
    console.print(
        f"{summary['num_moved']} operations moved (total shift {summary['total_shift']} {plan.time_unit}), "
        f"{len(result.diff.added)} added, {len(result.diff.cancelled)} cancelled; "
        f"plan {plan.plan_id} version {plan.version} (from {result.previous.version}, "
        f"solve {summary['status']})",
        highlight=False,
        soft_wrap=True,
    )


def _breakdown(text: str) -> Any:
    from planner.planning.replan import MachineDown

    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 3 or not all(parts):
        raise PlannerError(f"--breakdown: expected MACHINE,START,END (ISO 8601 or plan times), got {text!r}")
    return MachineDown(parts[0], parts[1], parts[2])


def _rush_orders(path: Path, plan_dir: Path) -> list[Any]:
    from planner.planning.pipeline import read_orders
    from planner.planning.plant import read_plant
    from planner.planning.replan import PLANT_FILE, RushOrderRequest

    plant_path = plan_dir / PLANT_FILE
    if not plant_path.exists():
        raise PlannerError(f"--rush: {plan_dir} holds no {PLANT_FILE} (make the plan with `planner plan`)")
    plant = read_plant(plant_path)
    return [
        RushOrderRequest(
            o.id, o.product, o.quantity, plant.horizon.at(o.due), priority=o.priority, options=o.options
        )
        for o in read_orders(path, plant)
    ]


@main.command("replan", short_help="Re-plan a plan after breakdowns, cancellations, rush orders, actuals.")
@click.argument("plan_dir", type=click.Path(path_type=Path))
@click.option(
    "--breakdown",
    "breakdowns",
    multiple=True,
    help="MACHINE,START,END: the machine is down (ISO 8601 with offset, or plan times; repeatable).",
)
@click.option("--cancel", "cancels", multiple=True, help="Cancel this order id (repeatable).")
@click.option(
    "--rush",
    "rush_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Rush orders CSV: order_id,product,quantity,due[,options][,priority] (as `planner plan --orders`).",
)
@click.option(
    "--actuals",
    "actuals_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Actuals to record first (B2MML performance XML/JSON or CSV, as `planner actuals`).",
)
@click.option("--now", default=None, help="Time of the re-plan (ISO 8601 or plan time); default: the clock.")
@click.option("--frozen", type=int, default=0, show_default=True, help="Frozen horizon after now (minutes).")
@click.option("--time-limit", type=float, default=5.0, show_default=True, help="Seconds for the solve.")
@click.option("--workers", type=int, default=None, help="Solver threads (default: up to 8 CPUs).")
def replan_command(
    plan_dir: Path,
    breakdowns: tuple[str, ...],
    cancels: tuple[str, ...],
    rush_path: Path | None,
    actuals_path: Path | None,
    now: str | None,
    frozen: int,
    time_limit: float,
    workers: int | None,
) -> None:
    """Re-plan the plan in PLAN_DIR after events and store the next version.

    Released operations stay where they are unless a breakdown meets them or late work before them
    pushes them; running operations never move (a breakdown that begins while one runs is taken to begin
    when it ends); completed work is history; cancelled orders leave the machines; rush orders become
    proposed orders after now. Prints what moved, was added and cancelled, and the new version; the
    difference is what `planner export --since` publishes. Exit code 2 with one line on bad input.
    """
    from datetime import UTC, datetime

    from planner.planning.replan import CancelOrder

    events: list[Any] = [_breakdown(text) for text in breakdowns]
    events += [CancelOrder(order) for order in cancels]
    if rush_path is not None:
        events += _rush_orders(rush_path, plan_dir)
    actuals: Any = ()
    plan = _current_plan(plan_dir)
    if actuals_path is not None:
        from planner.interchange.actuals import read_actuals

        actuals = read_actuals(actuals_path, plan)
    moment: str | int
    if now is not None:
        moment = now
    elif actuals:
        moment = max(max(a.start, a.end or a.start) for a in actuals)
    else:
        moment = max(0, plan.time_of(datetime.now(UTC)))
    _run_replan(plan_dir, events, moment, actuals, frozen, time_limit, workers)


if __name__ == "__main__":  # pragma: no cover
    main()
