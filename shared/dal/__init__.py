"""Data access: the only place that touches psycopg or boto3."""
