"""Tests that Forecast and StartForecast forecast real M3 series through a real server, report bad series
in the result, refuse bad requests with field paths, enforce the batch limits and run as durable jobs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import grpc
import numpy as np
import pandas as pd
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from planner.api.v1 import forecasting_pb2 as fpb
from planner.api.v1 import planner_service_pb2 as pb
from planner.api.v1 import planner_service_pb2_grpc as pb_grpc
from planner.client import PlannerClient
from planner.compute import LocalExecutor
from planner.forecasting import forecast
from tests.service.conftest import ROOT, terminal, wait_for

M3_TRAIN = ROOT / "tests" / "data" / "demand_m3_train.csv"
CHEAP = {"models": ["snaive", "naive"], "num_windows": 1}
"""A cheap engine setting for tests that are not about model choice."""


def m3(*ids: str) -> pd.DataFrame:
    frame = pd.read_csv(M3_TRAIN)
    return frame[frame["unique_id"].isin(ids)].reset_index(drop=True) if ids else frame


def csv_file(frame: pd.DataFrame, name: str = "history") -> fpb.TableFile:
    return fpb.TableFile(format="csv", content=frame.to_csv(index=False).encode(), name=name)


def rows(frame: pd.DataFrame) -> fpb.DemandHistory:
    return fpb.DemandHistory(
        rows=[fpb.DemandObservation(unique_id=r.unique_id, ds=r.ds, y=r.y) for r in frame.itertuples()]
    )


def violations(error: grpc.RpcError) -> dict[str, str]:
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    assert status is not None
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            return {v.field: v.description for v in bad.field_violations}
    return {}


def wait_job(stub: pb_grpc.PlannerServiceStub, job_id: str, timeout: float = 120) -> pb.JobInfo:
    return wait_for(  # type: ignore[no-any-return]
        lambda: (
            (job := stub.GetJob(pb.GetJobRequest(job_id=job_id), timeout=10).job) and terminal(job) and job
        ),
        timeout=timeout,
        interval=0.1,
    )


def test_forecast_m3_with_prophet_equals_the_library(stub: pb_grpc.PlannerServiceStub) -> None:
    """Tests that Forecast on two M3 series (Prophet a candidate) returns what forecast() returns locally,
    with ordered quantiles, the chosen model, its backtest error and the reason per series."""
    history = m3("N2000", "N2500")
    options = fpb.ForecastOptions(
        horizon=6, quantiles=[0.9, 0.1, 0.95], models=["prophet", "snaive"], num_windows=1
    )
    response = stub.Forecast(pb.ForecastRequest(history_file=csv_file(history), options=options), timeout=120)
    result = response.result
    assert result.freq == "M" and result.horizon == 6 and list(result.quantiles) == [0.1, 0.5, 0.9, 0.95]
    assert [s.unique_id for s in result.series] == ["N2000", "N2500"] and not result.failures
    with LocalExecutor(1) as ex:
        local = forecast(
            history, 6, quantiles=(0.9, 0.1, 0.95), models=("prophet", "snaive"), num_windows=1, executor=ex
        )
    reports = {r.unique_id: r for r in local.reports}
    for series in result.series:
        assert series.model in ("prophet", "snaive") and series.model == reports[series.unique_id].model
        assert series.reason and series.num_windows == 1 and series.HasField("backtest_smape")
        assert series.backtest_smape == pytest.approx(reports[series.unique_id].backtest_smape)
        values = np.array([list(p.quantiles) for p in series.points])
        assert values.shape == (6, 4) and np.all(np.diff(values, axis=1) >= 0) and np.all(values >= 0)
        mine = local.forecast[local.forecast["unique_id"] == series.unique_id]
        assert [p.ds for p in series.points] == list(mine["ds"].dt.strftime("%Y-%m-%d"))
        last = history[history["unique_id"] == series.unique_id]["ds"].max()
        assert pd.Timestamp(series.points[0].ds) == pd.Timestamp(last) + pd.DateOffset(months=1)
        assert np.allclose([p.yhat for p in series.points], mine["yhat"])
        assert np.allclose(values[:, 2], mine["q90"])
    frame = PlannerClient.to_forecast_frame(result)
    assert list(frame.columns) == ["unique_id", "ds", "yhat", "q10", "q50", "q90", "q95", "model"]
    assert len(frame) == 12


def test_forecast_parquet_file(stub: pb_grpc.PlannerServiceStub) -> None:
    """Tests that a Parquet history (format detected from its magic bytes) forecasts like its CSV."""
    import io

    history = m3("N2500")
    buffer = io.BytesIO()
    history.assign(ds=pd.to_datetime(history["ds"])).to_parquet(buffer)
    options = fpb.ForecastOptions(horizon=3, **CHEAP)
    parquet = stub.Forecast(
        pb.ForecastRequest(history_file=fpb.TableFile(content=buffer.getvalue()), options=options), timeout=60
    ).result
    csv = stub.Forecast(
        pb.ForecastRequest(history_file=csv_file(history), options=options), timeout=60
    ).result
    assert [p.ds for p in parquet.series[0].points] == [p.ds for p in csv.series[0].points]
    assert [p.yhat for p in parquet.series[0].points] == [p.yhat for p in csv.series[0].points]


def test_forecast_reports_bad_series_and_keeps_the_others(stub: pb_grpc.PlannerServiceStub) -> None:
    """Tests that a batch with a negative and a duplicated series answers OK: the good series forecast,
    each bad one listed with its message."""
    good = m3("N2500")
    negative = m3("N2000").assign(unique_id="negative")
    negative.loc[3, "y"] = -5.0
    duplicated = m3("N2000").assign(unique_id="duplicated")
    duplicated = pd.concat([duplicated, duplicated.iloc[[7]]], ignore_index=True)
    history = pd.concat([good, negative, duplicated], ignore_index=True)
    request = pb.ForecastRequest(history=rows(history), options=fpb.ForecastOptions(horizon=3, **CHEAP))
    result = stub.Forecast(request, timeout=60).result
    assert [s.unique_id for s in result.series] == ["N2500"] and len(result.series[0].points) == 3
    failures = {f.unique_id: " ".join(f.errors) for f in result.failures}
    assert set(failures) == {"negative", "duplicated"}
    assert "negative" in failures["negative"] and "duplicate" in failures["duplicated"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"history": fpb.DemandHistory()}, "history.rows"),
        ({"options": fpb.ForecastOptions(horizon=0)}, "options.horizon"),
        ({"options": fpb.ForecastOptions(horizon=3, quantiles=[0.5, 1.5])}, "options.quantiles[1]"),
        ({"options": fpb.ForecastOptions(horizon=3, freq="X")}, "options.freq"),
        ({"options": fpb.ForecastOptions(horizon=3, models=["oracle"])}, "options.models"),
        ({"history_file": fpb.TableFile(content=b"a,b\n1,2\n")}, "history_file.content"),
        ({"history_file": fpb.TableFile(format="xlsx", content=b"x")}, "history_file.format"),
        ({"history_file": fpb.TableFile(content=b"unique_id,ds,y\n")}, "history_file.content"),
        (
            {
                "history": fpb.DemandHistory(
                    rows=[
                        fpb.DemandObservation(unique_id="A", ds="2026-01-01", y=1, regressors={"price": 2}),
                        fpb.DemandObservation(unique_id="A", ds="2026-02-01", y=1),
                    ]
                )
            },
            "history.rows[1].regressors",
        ),
        (
            {
                "history": fpb.DemandHistory(
                    rows=[
                        fpb.DemandObservation(
                            unique_id="A", ds=f"2026-{m:02d}-01", y=1, regressors={"price": 2}
                        )
                        for m in range(1, 13)
                    ]
                )
            },
            "future",
        ),
    ],
)
def test_bad_forecast_requests_name_the_field(
    stub: pb_grpc.PlannerServiceStub, change: dict[str, Any], field: str
) -> None:
    """Tests that request-level bad input is INVALID_ARGUMENT with a BadRequest naming the field, for
    Forecast and StartForecast alike (no job is stored)."""
    fields: dict[str, Any] = {
        "history": rows(m3("N2500")),
        "options": fpb.ForecastOptions(horizon=3, **CHEAP),
    }
    if "history_file" in change:
        fields.pop("history")
    fields.update(change)
    for method, message in (
        (stub.Forecast, pb.ForecastRequest),
        (stub.StartForecast, pb.StartForecastRequest),
    ):
        with pytest.raises(grpc.RpcError) as info:
            method(message(**fields), timeout=30)
        assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert field in violations(info.value), violations(info.value)
    assert not stub.ListJobs(pb.ListJobsRequest(), timeout=10).jobs


def test_forecast_batch_limits(make_server: Any) -> None:
    """Tests that a unary batch above max_forecast_series is RESOURCE_EXHAUSTED naming the limit, while
    StartForecast accepts it."""
    from planner.service import Limits

    server = make_server(limits=Limits(max_forecast_series=2, max_forecast_rows=1000))
    with grpc.insecure_channel(server.address) as channel:
        stub = pb_grpc.PlannerServiceStub(channel)
        request = pb.ForecastRequest(
            history_file=csv_file(m3()), options=fpb.ForecastOptions(horizon=3, **CHEAP)
        )
        with pytest.raises(grpc.RpcError) as info:
            stub.Forecast(request, timeout=30)
        assert info.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert "max_forecast_series=2" in (info.value.details() or "")
        job = stub.StartForecast(
            pb.StartForecastRequest(history_file=request.history_file, options=request.options), timeout=30
        ).job
        assert job.kind == pb.JOB_KIND_FORECAST
        assert wait_job(stub, job.job_id).state == pb.JOB_STATE_SUCCEEDED


def test_start_forecast_job_watch_get_list_and_idempotency(stub: pb_grpc.PlannerServiceStub) -> None:
    """Tests that a forecast job streams its series progress, ends with the forecast in GetJob (points)
    and ListJobs (no points), and that a repeated request_id returns the first job."""
    request = pb.StartForecastRequest(
        history_file=csv_file(m3(), "m3"), options=fpb.ForecastOptions(horizon=4, **CHEAP), request_id="fc-1"
    )
    first = stub.StartForecast(request, timeout=30)
    again = stub.StartForecast(request, timeout=30)
    assert not first.existing and again.existing and again.job.job_id == first.job.job_id
    changed = pb.StartForecastRequest()
    changed.CopyFrom(request)
    changed.options.horizon = 5
    with pytest.raises(grpc.RpcError) as info:
        stub.StartForecast(changed, timeout=30)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    job_id = first.job.job_id
    events = list(stub.WatchJob(pb.WatchJobRequest(job_id=job_id), timeout=120))
    progress = [e.progress for e in events if e.HasField("progress")]
    assert progress and progress[-1].series_done == progress[-1].series_total == 3
    final = events[-1].job
    assert final.state == pb.JOB_STATE_SUCCEEDED and final.kind == pb.JOB_KIND_FORECAST and final.name == "m3"
    got = stub.GetJob(pb.GetJobRequest(job_id=job_id), timeout=10).job
    assert [len(s.points) for s in got.forecast_result.series] == [4, 4, 4]
    listed = stub.ListJobs(pb.ListJobsRequest(kind=pb.JOB_KIND_FORECAST), timeout=10).jobs
    assert [j.job_id for j in listed] == [job_id]
    assert len(listed[0].forecast_result.series) == 3 and not listed[0].forecast_result.series[0].points
    assert not stub.ListJobs(pb.ListJobsRequest(kind=pb.JOB_KIND_SCHEDULE), timeout=10).jobs


def many_series(count: int) -> pd.DataFrame:
    """``count`` monthly series made from the M3 ones (scaled copies), for jobs that run a while."""
    base = m3("N2000", "N2500")
    parts = []
    for k in range(count):
        part = base[base["unique_id"] == ("N2000", "N2500")[k % 2]].copy()
        part["unique_id"] = f"S{k:03d}"
        part["y"] = part["y"] * (1.0 + 0.05 * k)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def test_cancel_forecast_job_between_chunks(stub: pb_grpc.PlannerServiceStub) -> None:
    """Tests that a running forecast job cancelled after its first chunk ends CANCELLED without a result."""
    request = pb.StartForecastRequest(
        history_file=csv_file(many_series(30)),
        options=fpb.ForecastOptions(horizon=6, models=["prophet", "snaive"], num_windows=1),
    )
    job = stub.StartForecast(request, timeout=30).job
    for event in stub.WatchJob(pb.WatchJobRequest(job_id=job.job_id), timeout=120):
        if event.HasField("progress") and event.progress.series_done > 0:
            break
    stub.CancelJob(pb.CancelJobRequest(job_id=job.job_id), timeout=10)
    final = wait_job(stub, job.job_id)
    assert final.state == pb.JOB_STATE_CANCELLED and not final.HasField("forecast_result")
    assert final.progress.series_done < 30


def test_client_forecast_rows_and_start(server: Any, tmp_path: Path) -> None:
    """Tests the Python client: forecast() from a DataFrame (rows) and start_forecast() from a file."""
    history = m3("N2500")
    with PlannerClient(server.address) as client:
        result = client.forecast(history, 3, models=("snaive",), num_windows=1)
        assert [s.unique_id for s in result.series] == ["N2500"] and result.series[0].model == "snaive"
        path = tmp_path / "history.csv"
        history.to_csv(path, index=False)
        job = client.start_forecast(path, 3, models=("snaive",), num_windows=1)
        done = client.wait(job.job_id, timeout=120)
    assert done.job_id == job.job_id and done.state == pb.JOB_STATE_SUCCEEDED
    frame = PlannerClient.to_forecast_frame(done.forecast_result)
    assert np.allclose(frame["yhat"], [s.yhat for s in result.series[0].points])


def test_forecast_deadline_stops_between_chunks(
    server: Any, stub: pb_grpc.PlannerServiceStub, caplog: pytest.LogCaptureFixture, monkeypatch: Any
) -> None:
    """Tests that a Forecast whose deadline passes mid-run is DEADLINE_EXCEEDED and gives its slot back
    once the running chunk ends: the engine stops between chunks, before the last one."""
    import logging
    import time

    from planner.compute import LocalExecutor

    # Every chunk takes at least a second (the server runs in this process), so the 12 chunks outlast the
    # 4-s deadline on any machine, however fast.
    original = LocalExecutor.map_chunks

    def slow_map_chunks(self: Any, *args: Any, **kwargs: Any) -> Any:
        outcome = original(self, *args, **kwargs)
        time.sleep(1.0)
        return outcome

    monkeypatch.setattr(LocalExecutor, "map_chunks", slow_map_chunks)
    caplog.set_level(logging.INFO, logger="planner.service.servicer")
    request = pb.ForecastRequest(
        history_file=csv_file(many_series(60)),
        options=fpb.ForecastOptions(horizon=6, models=["prophet", "snaive"], num_windows=1),
    )
    with pytest.raises(grpc.RpcError) as info:
        stub.Forecast(request, timeout=4)
    assert info.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    wait_for(lambda: server.pool.running == 0, timeout=120)
    (stopped,) = [r.getMessage() for r in caplog.records if "Forecast stopped" in r.getMessage()]
    done = int(stopped.split("stopped after ")[1].split()[0])
    assert 0 <= done < 12, stopped  # 60 series in chunks of 5
