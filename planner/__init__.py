"""planner: planning and scheduling engine for smart factories.

Heavy dependencies (OR-Tools, Prophet, gRPC) are imported lazily by the modules that need them, so
``import planner`` stays fast.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("planner")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
