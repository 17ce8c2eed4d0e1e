"""SQL reads of kam_core, one module per subject (each returns small, aggregated frames)."""
