"""Lambda entry points, one package per use case."""
