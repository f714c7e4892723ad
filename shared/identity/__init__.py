"""The identity and access context: users, roles, profiles, companies (the tenant)."""
