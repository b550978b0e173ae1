"""Generated protobuf and gRPC code of the planner API, version 1 (from proto/planner/api/v1/*.proto).

Regenerate with ``make proto``; never edit by hand.
"""
