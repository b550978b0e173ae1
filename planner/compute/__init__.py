"""Where independent work runs: local processes by default, a Dask cluster when configured.

Every fan-out in the package (forecasting series in chunks, solving many instances in a benchmark) goes
through one small interface, :class:`Executor`, whose :meth:`~Executor.map_chunks` keeps the results of
the chunks that succeed and reports the ones that fail instead of raising.

Fanning out independent solves, one task per worker slot::

    from planner.compute import get_executor, split_chunks

    with get_executor(num_workers=2) as ex:            # or dask_address="tcp://host:8786"
        chunks = split_chunks(instances, ex.num_slots)
        outcomes = ex.map_chunks(solve_chunk, chunks, time_limit=10.0)   # solve_chunk: module level
    results = [r for o in outcomes if o.ok for r in o.value]
    failed = [o.error for o in outcomes if not o.ok]
"""

from planner.compute.executor import (
    DASK_ADDRESS_ENV,
    ChunkOutcome,
    DaskExecutor,
    Executor,
    LocalExecutor,
    get_executor,
    split_chunks,
)

__all__ = [
    "DASK_ADDRESS_ENV",
    "ChunkOutcome",
    "DaskExecutor",
    "Executor",
    "LocalExecutor",
    "get_executor",
    "split_chunks",
]
