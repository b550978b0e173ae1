"""Tests that the executors run every chunk, keep partial results and report failed chunks."""

from __future__ import annotations

import pytest

from planner.compute import ChunkOutcome, DaskExecutor, LocalExecutor, get_executor, split_chunks
from planner.compute import executor as executor_module
from planner.compute.executor import DASK_ADDRESS_ENV
from planner.exceptions import PlannerError


def square_sum(chunk: list[int], offset: int = 0) -> int:
    """Sum of squares plus an offset; fails on a chunk holding 13 (module level, so it pickles)."""
    if 13 in chunk:
        raise ValueError("unlucky chunk")
    return sum(x * x for x in chunk) + offset


def test_split_chunks_covers_items_in_order() -> None:
    """Tests that chunks are contiguous, near-equal, non-empty and cover every item."""
    chunks = split_chunks(list(range(10)), 4)
    assert [len(c) for c in chunks] == [3, 3, 2, 2]
    assert [x for c in chunks for x in c] == list(range(10))
    assert split_chunks([1, 2], 5) == [[1], [2]]
    assert split_chunks([], 3) == []
    with pytest.raises(ValueError, match="num_chunks must be >= 1"):
        split_chunks([1], 0)


@pytest.mark.parametrize("workers", [1, 2])
def test_local_executor_keeps_partial_results(workers: int) -> None:
    """Tests that a failing chunk is reported while the other chunks' results are kept, in order."""
    chunks = [[1, 2], [13], [3]]
    seen: list[tuple[int, int]] = []
    with LocalExecutor(workers) as ex:
        outcomes = ex.map_chunks(square_sum, chunks, progress=lambda d, t: seen.append((d, t)), offset=1)
    assert [o.index for o in outcomes] == [0, 1, 2]
    assert outcomes[0] == ChunkOutcome(index=0, value=6)
    assert outcomes[2].value == 10
    assert not outcomes[1].ok
    assert outcomes[1].error == "ValueError: unlucky chunk"
    assert seen[-1] == (3, 3)


def test_local_executor_rejects_zero_workers() -> None:
    """Tests that a worker count below one is a user error."""
    with pytest.raises(PlannerError, match="num_workers must be >= 1"):
        LocalExecutor(0)


def test_get_executor_uses_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests that local processes are the default and an unreachable Dask address is a clear error."""
    monkeypatch.delenv(DASK_ADDRESS_ENV, raising=False)
    ex = get_executor(num_workers=3)
    assert isinstance(ex, LocalExecutor) and ex.num_slots == 3
    seen: list[str | None] = []

    def fake_dask(address: str) -> str:
        seen.append(address)
        return "dask"

    monkeypatch.setattr(executor_module, "DaskExecutor", fake_dask)
    monkeypatch.setenv(DASK_ADDRESS_ENV, "tcp://10.1.2.3:8786")
    assert get_executor() == "dask"
    assert get_executor(dask_address="tcp://other:1") == "dask"
    assert seen == ["tcp://10.1.2.3:8786", "tcp://other:1"]


def test_unreachable_scheduler_is_a_user_error() -> None:
    """Tests that a scheduler nobody listens on gives a clear PlannerError, not a traceback."""
    with pytest.raises(PlannerError, match="cannot reach the Dask scheduler"):
        DaskExecutor("tcp://127.0.0.1:9", connect_timeout=0.5)


def test_dask_executor_matches_local() -> None:
    """Tests that a Dask LocalCluster gives the same outcomes as local execution."""
    from distributed import Client, LocalCluster

    chunks = [[1, 2], [13], [3, 4, 5]]
    cluster_args = {"processes": False, "dashboard_address": None}
    with (
        LocalCluster(n_workers=1, threads_per_worker=2, **cluster_args) as cluster,
        Client(cluster) as client,
    ):
        ex = DaskExecutor(client=client)
        assert ex.num_slots == 2
        remote = ex.map_chunks(square_sum, chunks)
    local = LocalExecutor(1).map_chunks(square_sum, chunks)
    assert [(o.index, o.value, o.error) for o in remote] == [(o.index, o.value, o.error) for o in local]
