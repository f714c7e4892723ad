"""The skills taxonomy's boundary models: admins' requests, what everyone reads, a candidate's
own skills, and the rows they come from.

A self-assessed level is an integer 1-5: 1 beginner, 2 elementary, 3 intermediate, 4 advanced,
5 expert (an integer sorts and compares; the label is given beside it in every response).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

SkillName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Level = Annotated[int, Field(ge=1, le=5, description="1 beginner .. 5 expert")]
Years = Annotated[Decimal, Field(ge=0, le=60, max_digits=3, decimal_places=1)]
LevelLabel = Literal["beginner", "elementary", "intermediate", "advanced", "expert"]
LEVEL_LABELS: tuple[LevelLabel, ...] = (
    "beginner",
    "elementary",
    "intermediate",
    "advanced",
    "expert",
)
# A candidate's profile holds at most this many skills.
MAX_CANDIDATE_SKILLS = 100


def level_label(level: int) -> LevelLabel:
    return LEVEL_LABELS[level - 1]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CategoryCreate(_Request):
    name: SkillName
    description: Description | None = None


class CategoryUpdate(_Request):
    """Rename, or change the description (at least one of them)."""

    name: SkillName | None = None
    description: Description | None = None

    @model_validator(mode="after")
    def _something(self) -> CategoryUpdate:
        if not self.model_fields_set:
            raise ValueError("give a name or a description to change")
        if "name" in self.model_fields_set and self.name is None:
            raise ValueError("name cannot be null")
        return self


class SkillCreate(_Request):
    category_id: uuid.UUID
    name: SkillName
    description: Description | None = None


class SkillUpdate(_Request):
    """Rename, move to another category, or change the description (at least one)."""

    name: SkillName | None = None
    category_id: uuid.UUID | None = None
    description: Description | None = None

    @model_validator(mode="after")
    def _something(self) -> SkillUpdate:
        if not self.model_fields_set:
            raise ValueError("give a name, a category_id or a description to change")
        for required in ("name", "category_id"):
            if required in self.model_fields_set and getattr(self, required) is None:
                raise ValueError(f"{required} cannot be null")
        return self


class CandidateSkillSet(_Request):
    level: Level
    years: Years


# ---- rows ------------------------------------------------------------------------------------


class CategoryRow(BaseModel):
    id: uuid.UUID
    name: str
    description: str | None
    retired_at: datetime | None
    created_at: datetime
    updated_at: datetime


class SkillRow(BaseModel):
    id: uuid.UUID
    category_id: uuid.UUID
    category_name: str
    name: str
    description: str | None
    retired_at: datetime | None
    created_at: datetime
    updated_at: datetime


class CandidateSkillRow(BaseModel):
    skill_id: uuid.UUID
    name: str
    category_id: uuid.UUID
    category_name: str
    level: int
    years: Decimal
    retired_at: datetime | None
    updated_at: datetime


# ---- responses -------------------------------------------------------------------------------


class CategoryOut(BaseModel):
    id: uuid.UUID
    name: str
    description: str | None
    retired: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: CategoryRow) -> CategoryOut:
        return cls(**row.model_dump(exclude={"retired_at"}), retired=row.retired_at is not None)


class SkillOut(BaseModel):
    id: uuid.UUID
    category_id: uuid.UUID
    category_name: str
    name: str
    description: str | None
    retired: bool = Field(description="Retired skills stay readable; none can be newly chosen")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: SkillRow) -> SkillOut:
        return cls(**row.model_dump(exclude={"retired_at"}), retired=row.retired_at is not None)


class CategoryPage(BaseModel):
    items: list[CategoryOut]
    next_cursor: str | None


class SkillPage(BaseModel):
    items: list[SkillOut]
    next_cursor: str | None


class CandidateSkillOut(BaseModel):
    skill_id: uuid.UUID
    name: str
    category_id: uuid.UUID
    category_name: str
    level: int = Field(description="1 beginner, 2 elementary, 3 intermediate, 4 advanced, 5 expert")
    level_label: LevelLabel
    years: float
    retired: bool = Field(description="The taxonomy retired it since: kept, but not offered")
    updated_at: datetime

    @classmethod
    def of(cls, row: CandidateSkillRow) -> CandidateSkillOut:
        return cls(
            skill_id=row.skill_id,
            name=row.name,
            category_id=row.category_id,
            category_name=row.category_name,
            level=row.level,
            level_label=level_label(row.level),
            years=float(row.years),
            retired=row.retired_at is not None,
            updated_at=row.updated_at,
        )


class CandidateSkills(BaseModel):
    items: list[CandidateSkillOut]


class SkillRef(BaseModel):
    """A skill as another context sees it (a template's required skills)."""

    model_config = ConfigDict(frozen=True)

    id: uuid.UUID
    name: str
    category_name: str
    retired: bool
