"""The platform's shared package: models, logic, data access and HTTP edge used by every Lambda."""
