"""One executor interface over local processes and a Dask cluster.

The unit of work is a *chunk*: one picklable argument handed to a top-level function. An executor runs
``fn(chunk, **kwargs)`` for every chunk, in parallel where it can, and returns one
:class:`ChunkOutcome` per chunk in input order. A chunk that raises does not stop the others: its
outcome carries the error text and the remaining results are kept.

``num_slots`` says how many chunks can run at the same time (local worker processes, or the total
threads of the Dask workers), so callers can size their chunks: forecasting makes a few chunks per slot
for an even load, a benchmark that fans out solves makes one task per slot.
"""

from __future__ import annotations

import logging
import os
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, Protocol, TypeVar

from planner.exceptions import PlannerError

logger = logging.getLogger(__name__)

DASK_ADDRESS_ENV = "PLANNER_DASK_ADDRESS"
"""Environment variable holding the address of a Dask scheduler, e.g. ``tcp://10.0.0.5:8786``."""

T = TypeVar("T")
R = TypeVar("R")

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(num_done, num_total)`` after each chunk finishes (in the calling process)."""


@dataclass(frozen=True)
class ChunkOutcome(Generic[R]):
    """What became of one chunk.

    Parameters
    ----------
    index
        Position of the chunk in the input.
    value
        The function's return value, or None when the chunk failed.
    error
        None on success; otherwise ``"ExceptionType: message"`` of what the chunk raised.
    details
        The traceback of the failure (for logs, not for users).
    """

    index: int
    value: R | None = None
    error: str | None = None
    details: str = ""

    def __post_init__(self) -> None:
        if self.index < 0:
            raise ValueError(f"index must be >= 0, got {self.index}")

    @property
    def ok(self) -> bool:
        """True when the chunk ran without raising."""
        return self.error is None


def _run_guarded(fn: Callable[..., R], index: int, chunk: Any) -> ChunkOutcome[R]:
    """Run one chunk and turn an exception into a failed outcome (runs inside the worker)."""
    try:
        return ChunkOutcome(index=index, value=fn(chunk))
    except Exception as exc:
        return ChunkOutcome(
            index=index, error=f"{type(exc).__name__}: {exc}", details=traceback.format_exc(limit=20)
        )


class Executor(Protocol):
    """Runs a function over chunks; see the module docstring."""

    @property
    def num_slots(self) -> int:
        """How many chunks can run at the same time."""
        ...

    @property
    def description(self) -> str:
        """Human-readable summary, e.g. ``"2 local processes"``."""
        ...

    def map_chunks(
        self,
        fn: Callable[..., R],
        chunks: Sequence[Any],
        *,
        progress: ProgressCallback | None = None,
        **kwargs: Any,
    ) -> list[ChunkOutcome[R]]:
        """Run ``fn(chunk, **kwargs)`` for every chunk; one outcome per chunk in input order."""
        ...

    def close(self) -> None:
        """Release workers (only those the executor started itself)."""
        ...

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...


class _ExecutorBase:
    """Context-manager support shared by the executors."""

    def close(self) -> None:  # pragma: no cover - overridden
        pass

    def __enter__(self: Any) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _log_failures(outcomes: Iterable[ChunkOutcome[Any]]) -> None:
    for outcome in outcomes:
        if not outcome.ok:
            logger.warning("chunk %d failed: %s\n%s", outcome.index, outcome.error, outcome.details)


class LocalExecutor(_ExecutorBase):
    """Runs chunks in local worker processes (``concurrent.futures.ProcessPoolExecutor``).

    Parameters
    ----------
    num_workers
        Number of worker processes; None uses every CPU. With 1 the chunks run in the calling process,
        which avoids start-up cost and keeps tests deterministic and debuggable.
    """

    def __init__(self, num_workers: int | None = None):
        if num_workers is not None and num_workers < 1:
            raise PlannerError(f"num_workers must be >= 1, got {num_workers}")
        self._num_workers = num_workers or os.cpu_count() or 1
        self._pool: Any = None

    @property
    def num_slots(self) -> int:
        return self._num_workers

    @property
    def description(self) -> str:
        if self._num_workers == 1:
            return "1 local process (in-process)"
        return f"{self._num_workers} local processes"

    def map_chunks(
        self,
        fn: Callable[..., R],
        chunks: Sequence[Any],
        *,
        progress: ProgressCallback | None = None,
        **kwargs: Any,
    ) -> list[ChunkOutcome[R]]:
        bound = partial(fn, **kwargs) if kwargs else fn
        total = len(chunks)
        outcomes: list[ChunkOutcome[R] | None] = [None] * total
        done = 0
        if self._num_workers == 1 or total <= 1:
            for idx, chunk in enumerate(chunks):
                outcomes[idx] = _run_guarded(bound, idx, chunk)
                done += 1
                if progress is not None:
                    progress(done, total)
        else:
            from concurrent.futures import ProcessPoolExecutor, as_completed

            if self._pool is None:
                self._pool = ProcessPoolExecutor(max_workers=self._num_workers)
            futures = {self._pool.submit(_run_guarded, bound, idx, c): idx for idx, c in enumerate(chunks)}
            for future in as_completed(futures):
                idx = futures[future]
                try:
                    outcomes[idx] = future.result()
                except Exception as exc:
                    outcomes[idx] = ChunkOutcome(index=idx, error=f"{type(exc).__name__}: {exc}")
                done += 1
                if progress is not None:
                    progress(done, total)
        result = [o for o in outcomes if o is not None]
        _log_failures(result)
        return result

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskExecutor(_ExecutorBase):
    """Runs chunks as tasks on a Dask distributed cluster.

    Parameters
    ----------
    address
        Address of a running scheduler (``tcp://host:8786``). Ignored when ``client`` is given.
    client
        An existing ``distributed.Client``; the executor then does not close it.
    connect_timeout
        Seconds to wait for the scheduler.
    """

    def __init__(self, address: str | None = None, *, client: Any = None, connect_timeout: float = 10.0):
        if client is None:
            if not address:
                raise PlannerError("a Dask executor needs a scheduler address or a client")
            try:
                from distributed import Client
            except ImportError as exc:  # pragma: no cover - dask is a declared dependency
                raise PlannerError("dask[distributed] is not installed") from exc
            try:
                client = Client(address, timeout=f"{connect_timeout}s")
            except OSError as exc:
                raise PlannerError(f"cannot reach the Dask scheduler at {address!r}: {exc}") from exc
            self._owns_client = True
        else:
            self._owns_client = False
        self._client = client

    @property
    def client(self) -> Any:
        """The underlying ``distributed.Client``."""
        return self._client

    @property
    def num_slots(self) -> int:
        threads = self._client.nthreads()
        return max(1, sum(threads.values()))

    @property
    def description(self) -> str:
        return f"Dask cluster at {self._client.scheduler.address} ({self.num_slots} slots)"

    def map_chunks(
        self,
        fn: Callable[..., R],
        chunks: Sequence[Any],
        *,
        progress: ProgressCallback | None = None,
        **kwargs: Any,
    ) -> list[ChunkOutcome[R]]:
        from distributed import as_completed

        bound = partial(fn, **kwargs) if kwargs else fn
        total = len(chunks)
        outcomes: list[ChunkOutcome[R] | None] = [None] * total
        futures = [
            self._client.submit(_run_guarded, bound, idx, chunk, pure=False)
            for idx, chunk in enumerate(chunks)
        ]
        index_of = {future.key: idx for idx, future in enumerate(futures)}
        for done, future in enumerate(as_completed(futures), start=1):
            idx = index_of[future.key]
            try:
                outcomes[idx] = future.result()
            except Exception as exc:
                outcomes[idx] = ChunkOutcome(index=idx, error=f"{type(exc).__name__}: {exc}")
            if progress is not None:
                progress(done, total)
        result = [o for o in outcomes if o is not None]
        _log_failures(result)
        return result

    def close(self) -> None:
        if self._owns_client:
            self._client.close()


def get_executor(num_workers: int | None = None, dask_address: str | None = None) -> Executor:
    """Choose the executor the configuration asks for.

    Parameters
    ----------
    num_workers
        Local worker processes (None: every CPU). Ignored for a Dask cluster.
    dask_address
        Scheduler address; when None, the environment variable ``PLANNER_DASK_ADDRESS`` is consulted.

    Returns
    -------
    Executor
        A :class:`DaskExecutor` when an address is known, else a :class:`LocalExecutor`.

    Raises
    ------
    PlannerError
        If the scheduler cannot be reached or ``num_workers`` < 1.
    """
    address = dask_address or os.environ.get(DASK_ADDRESS_ENV) or None
    if address:
        return DaskExecutor(address)
    return LocalExecutor(num_workers)


def split_chunks(items: Sequence[T], num_chunks: int) -> list[list[T]]:
    """Split items into at most ``num_chunks`` contiguous chunks of near-equal size (none empty).

    Raises
    ------
    ValueError
        If ``num_chunks`` < 1.
    """
    if num_chunks < 1:
        raise ValueError(f"num_chunks must be >= 1, got {num_chunks}")
    n = len(items)
    k = min(num_chunks, n)
    if k == 0:
        return []
    size, extra = divmod(n, k)
    chunks: list[list[T]] = []
    start = 0
    for i in range(k):
        stop = start + size + (1 if i < extra else 0)
        chunks.append(list(items[start:stop]))
        start = stop
    return chunks
