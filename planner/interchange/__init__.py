"""Plans in and out of MES/ERP vocabularies: B2MML documents, flat files, actuals, OPC UA dispatch.

- :mod:`planner.interchange.b2mml`: plan-level ``OperationsSchedule`` and dispatch-level ``WorkSchedule``
  documents in the verbs Process/Change/Cancel, as XML (lxml) and B2MML-JSON;
- :mod:`planner.interchange.validate`: validation against the shipped B2MML V0701 schemas;
- :mod:`planner.interchange.flatfiles`: CSV files for ERPs, and actuals from CSV;
- :mod:`planner.interchange.actuals`: ``OperationsPerformance`` / ``WorkPerformance`` documents in and out;
- :mod:`planner.interchange.opcua`: dispatch to OPC UA for ISA-95 Job Control receivers (asyncua).

The Business To Manufacturing Markup Language (B2MML) is used courtesy of MESA International.
"""

from planner.interchange.errors import DocumentError

__all__ = ["DocumentError"]
