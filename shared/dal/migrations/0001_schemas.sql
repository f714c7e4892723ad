-- One schema per bounded context; each context owns its tables and nobody else writes them.
CREATE SCHEMA IF NOT EXISTS identity;
CREATE SCHEMA IF NOT EXISTS interviews;
CREATE SCHEMA IF NOT EXISTS media;
CREATE SCHEMA IF NOT EXISTS analysis;

-- gen_random_uuid() is core since PostgreSQL 13; pgcrypto is only for digest() later.
CREATE EXTENSION IF NOT EXISTS pgcrypto;
