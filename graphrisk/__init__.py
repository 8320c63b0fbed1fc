"""graphrisk: graph-based insider-risk analysis for police information security."""

__version__ = "0.1.0"
