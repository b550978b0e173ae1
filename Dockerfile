# The planner gRPC service. Build: docker build -t planner .
# Run:   docker run -p 50051:50051 -v planner-data:/var/lib/planner planner
# Jobs live in SQLite under /var/lib/planner unless PLANNER_DB_URL points at PostgreSQL.

# ---- build: resolve the pinned dependency set into a virtualenv -------------------------------------------
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
RUN python -m venv /opt/venv
COPY pyproject.toml constraints.txt README.md ./
COPY planner ./planner
RUN /opt/venv/bin/pip install -c constraints.txt . \
    && /opt/venv/bin/python -m planner.scheduling.solvers.tabu

# ---- runtime: the virtualenv only, as an unprivileged user -------------------------------------------------
FROM python:3.11-slim
RUN groupadd --system --gid 10001 planner \
    && useradd --system --uid 10001 --gid planner --home-dir /var/lib/planner --no-create-home planner \
    && mkdir -p /var/lib/planner && chown planner:planner /var/lib/planner
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PLANNER_HOST=0.0.0.0 \
    PLANNER_PORT=50051 \
    PLANNER_DB_URL=sqlite:////var/lib/planner/planner.db \
    PLANNER_METRICS_PORT=9100
USER planner
WORKDIR /var/lib/planner
VOLUME ["/var/lib/planner"]
EXPOSE 50051 9100
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-m", "planner.service.healthcheck"]
# SIGTERM (docker stop) drains: health NOT_SERVING, running jobs checkpointed and requeued.
STOPSIGNAL SIGTERM
ENTRYPOINT ["planner", "serve"]
