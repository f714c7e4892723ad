-- Which Step Functions execution runs an analysis's current attempt (recorded by its Load step),
-- so the analysis sweep can tell a running workflow from one that ended without a result.
ALTER TABLE analysis.analyses
    ADD COLUMN execution_arn text CHECK (char_length(execution_arn) <= 2048);
