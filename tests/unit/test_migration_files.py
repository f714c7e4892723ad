"""Migration files: named NNNN_name.sql, unique versions, discovered in order."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.dal.migrator import MIGRATIONS_DIR, MigrationError, discover


def test_shipped_migrations_are_ordered_and_unique() -> None:
    migrations = discover(MIGRATIONS_DIR)

    versions = [m.version for m in migrations]
    assert versions == sorted(versions)
    assert versions[0] == 1
    assert len(set(versions)) == len(versions)


def test_badly_named_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "1_init.sql").write_text("SELECT 1;")

    with pytest.raises(MigrationError, match="NNNN_lower_snake"):
        discover(tmp_path)


def test_duplicate_versions_are_refused(tmp_path: Path) -> None:
    (tmp_path / "0001_a.sql").write_text("SELECT 1;")
    (tmp_path / "0001_b.sql").write_text("SELECT 2;")

    with pytest.raises(MigrationError, match="share a version"):
        discover(tmp_path)


def test_checksum_follows_content(tmp_path: Path) -> None:
    (tmp_path / "0001_a.sql").write_text("SELECT 1;")
    before = discover(tmp_path)[0].checksum
    (tmp_path / "0001_a.sql").write_text("SELECT 2;")

    assert discover(tmp_path)[0].checksum != before
