"""The HTTP edge: FastAPI app factory, problem+json errors, Lambda adapter."""
