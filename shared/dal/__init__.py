"""The kernel's data access: the pool (`db`), the connection type, row helpers and tenant scope
(`sql`), AWS clients (`aws`), migrations. Each context's own SQL lives in its `dal.py`."""
