-- Skills (issue 19): a taxonomy that admins manage (categories and skills, unique names,
-- retired rather than deleted so what referenced them stays readable), the skills a candidate
-- with an account records (self-assessed level 1-5 and years), and the skills an interview
-- template requires (only from the taxonomy).
CREATE TABLE identity.skill_categories (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- citext: "Python" and "python" are the same name.
    name        citext NOT NULL UNIQUE CHECK (char_length(name) BETWEEN 1 AND 100),
    description text CHECK (char_length(description) <= 500),
    retired_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
-- The list: by name, keyset on (name, id).
CREATE INDEX skill_categories_name_idx ON identity.skill_categories (name, id);

CREATE TABLE identity.skills (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    category_id uuid NOT NULL REFERENCES identity.skill_categories (id),
    -- Unique across the taxonomy: a skill has one name whatever its category.
    name        citext NOT NULL UNIQUE CHECK (char_length(name) BETWEEN 1 AND 100),
    description text CHECK (char_length(description) <= 500),
    retired_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX skills_name_idx ON identity.skills (name, id);
CREATE INDEX skills_category_name_idx ON identity.skills (category_id, name, id);

-- A candidate's skills. Level: 1 beginner, 2 elementary, 3 intermediate, 4 advanced, 5 expert.
CREATE TABLE identity.user_skills (
    user_id    uuid NOT NULL REFERENCES identity.users (id) ON DELETE CASCADE,
    skill_id   uuid NOT NULL REFERENCES identity.skills (id),
    level      smallint NOT NULL CHECK (level BETWEEN 1 AND 5),
    years      numeric(3, 1) NOT NULL CHECK (years BETWEEN 0 AND 60),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, skill_id)
);
CREATE INDEX user_skills_skill_idx ON identity.user_skills (skill_id);

-- The skills a template requires (HR's, per tenant).
CREATE TABLE interviews.template_skills (
    template_id uuid NOT NULL REFERENCES interviews.templates (id) ON DELETE CASCADE,
    skill_id    uuid NOT NULL REFERENCES identity.skills (id),
    company_id  uuid NOT NULL REFERENCES identity.companies (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (template_id, skill_id)
);
CREATE INDEX template_skills_skill_idx ON interviews.template_skills (skill_id);
