"""The platform context: health, the unknown-route answer, migrations, the audit consumer."""
