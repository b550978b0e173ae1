"""Versioned wire API of the planner service (generated code only)."""
