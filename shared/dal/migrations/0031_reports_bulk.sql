-- The funnel's rollup rebuilt from the facts in one set-based statement, and a switch that lets
-- a bulk load skip the per-row trigger (and rebuild after it).
--
-- The trigger keeps reports.funnel_daily right one event at a time (what the consumer does),
-- but costs ~4 ms a row: 100,000 rows loaded at once (the backfill of 0030 on a large stage, a
-- benchmark's seed) would take minutes. A transaction that sets reports.bulk_load to 'on'
-- (SET LOCAL) writes facts without the trigger and calls reports.rebuild_funnel for the
-- companies it touched: seconds at 100,000. rebuild_funnel gives what the trigger would have
-- (tests/integration/reports/test_reports_facts.py compares them), but for trailing zeros of
-- the histograms the trigger leaves behind when a count goes back to 0 (the reads ignore them).

CREATE OR REPLACE FUNCTION reports.roll_up() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('reports.bulk_load', true) = 'on' THEN
        RETURN NULL;  -- a bulk load: it rebuilds the rollup of what it wrote (rebuild_funnel)
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM reports.apply_fact(OLD, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM reports.apply_fact(NEW, 1);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION reports.rebuild_funnel(p_company uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- Writers of the rollup (the trigger) wait until the company's rows are replaced; the
    -- facts are read after the lock, so a fact committed before it is counted.
    LOCK TABLE reports.funnel_daily IN SHARE ROW EXCLUSIVE MODE;
    DELETE FROM reports.funnel_daily WHERE company_id = p_company;
    WITH facts AS (
        SELECT f.*, (f.invited_at AT TIME ZONE 'UTC')::date AS day,
               (SELECT max(p) FROM unnest(f.answered_positions) p) AS last_position,
               f.started_at IS NOT NULL AND f.completed_at IS NULL AND f.cancelled_at IS NULL
                   AS stopped_early
        FROM reports.invitation_facts f
        WHERE f.company_id = p_company AND f.invited_at IS NOT NULL
          AND f.template_id IS NOT NULL
    ),
    -- Each fact's marks in the histograms (the same buckets as reports.apply_fact).
    marks AS (
        SELECT template_id, day, 'score' AS h, least(floor(overall / 10)::integer, 9) + 1 AS b
        FROM facts WHERE overall IS NOT NULL
        UNION ALL
        SELECT template_id, day, 'start',
               reports.duration_bucket(extract(epoch FROM started_at - invited_at))
        FROM facts WHERE started_at IS NOT NULL
        UNION ALL
        SELECT template_id, day, 'complete',
               reports.duration_bucket(extract(epoch FROM completed_at - started_at))
        FROM facts WHERE completed_at IS NOT NULL AND started_at IS NOT NULL
        UNION ALL
        SELECT template_id, day, 'answered', p::integer
        FROM facts, unnest(answered_positions) p WHERE started_at IS NOT NULL
        UNION ALL
        SELECT template_id, day, 'stopped', last_position
        FROM facts WHERE stopped_early AND last_position IS NOT NULL
    ),
    counted AS (
        SELECT template_id, day, h, b, count(*)::integer AS n FROM marks GROUP BY 1, 2, 3, 4
    ),
    hists AS (
        SELECT m.template_id, m.day, m.h, array_agg(coalesce(c.n, 0) ORDER BY k) AS a
        FROM (SELECT template_id, day, h, max(b) AS top FROM counted GROUP BY 1, 2, 3) m
        CROSS JOIN LATERAL generate_series(1, m.top) k
        LEFT JOIN counted c
            ON (c.template_id, c.day, c.h, c.b) = (m.template_id, m.day, m.h, k)
        GROUP BY 1, 2, 3
    ),
    totals AS (
        SELECT template_id, day,
               count(*)::integer AS invited,
               count(started_at)::integer AS started,
               count(completed_at)::integer AS completed,
               count(analysed_at)::integer AS analysed,
               (count(*) FILTER (WHERE decision = 'advance'))::integer AS advanced,
               (count(*) FILTER (WHERE decision = 'reject'))::integer AS rejected,
               count(expired_at)::integer AS expired,
               count(cancelled_at)::integer AS cancelled,
               (count(*) FILTER (WHERE recommendation = 'hire'))::integer AS hire,
               (count(*) FILTER (WHERE recommendation = 'consider'))::integer AS consider,
               (count(*) FILTER (WHERE recommendation = 'reject'))::integer AS reject,
               (count(*) FILTER (WHERE stopped_early AND last_position IS NULL))::integer
                   AS started_no_answer
        FROM facts GROUP BY 1, 2
    )
    INSERT INTO reports.funnel_daily (
        company_id, template_id, day, invited, started, completed, analysed, advanced, rejected,
        expired, cancelled, hire, consider, reject, score_hist, start_hist, complete_hist,
        answered, stopped, started_no_answer)
    SELECT p_company, t.template_id, t.day, t.invited, t.started, t.completed, t.analysed,
           t.advanced, t.rejected, t.expired, t.cancelled, t.hire, t.consider, t.reject,
           coalesce((SELECT a FROM hists x WHERE (x.template_id, x.day, x.h) = (t.template_id, t.day, 'score')), '{}'),
           coalesce((SELECT a FROM hists x WHERE (x.template_id, x.day, x.h) = (t.template_id, t.day, 'start')), '{}'),
           coalesce((SELECT a FROM hists x WHERE (x.template_id, x.day, x.h) = (t.template_id, t.day, 'complete')), '{}'),
           coalesce((SELECT a FROM hists x WHERE (x.template_id, x.day, x.h) = (t.template_id, t.day, 'answered')), '{}'),
           coalesce((SELECT a FROM hists x WHERE (x.template_id, x.day, x.h) = (t.template_id, t.day, 'stopped')), '{}'),
           t.started_no_answer
    FROM totals t;
END
$$;

-- The rollup of what 0030's backfill copied (it ran before the trigger existed).
SELECT reports.rebuild_funnel(company_id)
FROM (SELECT DISTINCT company_id FROM reports.invitation_facts) c;
