"""Fakes of services we cannot run here, speaking their real wire protocols (tests, benchmarks)."""
