-- servedby's questions in ClickHouse SQL, on the `otel_traces` table the OpenTelemetry Collector's
-- ClickHouse exporter creates (database `otel`). Attributes live in the `SpanAttributes`
-- Map(LowCardinality(String), String) column: every value is a string (numbers as decimal text,
-- arrays as JSON), and a missing key reads as ''. Run by examples/backends/clickhouse.test.ts on
-- chdb (ClickHouse's embedded engine) with the exporter's own DDL.

-- #region calls-by-upstream
-- Calls in the last day by gateway, requested model and the upstream that served them,
-- with each upstream's share of its gateway and model ('' = no signal revealed the upstream).
SELECT SpanAttributes['gen_ai.route.gateway'] AS gateway,
       SpanAttributes['gen_ai.request.model'] AS model,
       SpanAttributes['gen_ai.route.upstream'] AS upstream,
       count() AS calls,
       round(calls / sum(calls) OVER (PARTITION BY gateway, model), 3) AS share
FROM otel.otel_traces
WHERE SpanAttributes['gen_ai.operation.name'] IN ('chat', 'text_completion', 'generate_content', 'embeddings')
  AND Timestamp >= now() - INTERVAL 1 DAY
GROUP BY gateway, model, upstream
ORDER BY gateway, model, calls DESC;
-- #endregion

-- #region upstream-changed
-- Traces of the last day with a call served by an upstream that had under 5 % of the same
-- gateway and model's calls in the week before (series without a baseline are left out).
WITH baseline AS (
    SELECT SpanAttributes['gen_ai.route.gateway'] AS gateway,
           SpanAttributes['gen_ai.request.model'] AS model,
           SpanAttributes['gen_ai.route.upstream'] AS upstream,
           count() / sum(count()) OVER (PARTITION BY gateway, model) AS share
    FROM otel.otel_traces
    WHERE SpanAttributes['gen_ai.operation.name'] IN ('chat', 'text_completion', 'generate_content', 'embeddings')
      AND Timestamp >= now() - INTERVAL 8 DAY AND Timestamp < now() - INTERVAL 1 DAY
    GROUP BY gateway, model, upstream),
recent AS (
    SELECT TraceId, Timestamp,
           SpanAttributes['gen_ai.route.gateway'] AS gateway,
           SpanAttributes['gen_ai.request.model'] AS model,
           SpanAttributes['gen_ai.route.upstream'] AS upstream
    FROM otel.otel_traces
    WHERE SpanAttributes['gen_ai.operation.name'] IN ('chat', 'text_completion', 'generate_content', 'embeddings')
      AND Timestamp >= now() - INTERVAL 1 DAY
      AND SpanAttributes['gen_ai.route.upstream'] != '')
SELECT r.TraceId AS trace_id, min(r.Timestamp) AS first_seen, r.gateway, r.model, r.upstream,
       round(any(b.share), 3) AS baseline_share  -- 0 when the upstream never served the series
FROM recent AS r
LEFT JOIN baseline AS b ON b.gateway = r.gateway AND b.model = r.model AND b.upstream = r.upstream
WHERE (r.gateway, r.model) IN (SELECT gateway, model FROM baseline)
GROUP BY r.TraceId, r.gateway, r.model, r.upstream
HAVING baseline_share < 0.05
ORDER BY first_seen;
-- #endregion

-- #region eval-by-upstream
-- Mean eval score by the upstream(s) that served the run each eval item scored: eval items as spans
-- carrying gen_ai.evaluation.*, the scored run in the same trace (the demo's layout).
SELECT upstreams, round(avg(score), 3) AS mean_score, count() AS items
FROM (
    SELECT e.TraceId, e.SpanId,
           toFloat64OrNull(any(e.SpanAttributes['gen_ai.evaluation.score.value'])) AS score,
           arrayStringConcat(arraySort(groupUniqArray(c.SpanAttributes['gen_ai.route.upstream'])), '+') AS upstreams
    FROM otel.otel_traces AS e
    INNER JOIN otel.otel_traces AS c ON c.TraceId = e.TraceId
    WHERE e.SpanAttributes['gen_ai.evaluation.name'] != ''
      AND c.SpanAttributes['gen_ai.operation.name'] IN ('chat', 'text_completion', 'generate_content')
      AND e.Timestamp >= now() - INTERVAL 7 DAY
    GROUP BY e.TraceId, e.SpanId)
GROUP BY upstreams
ORDER BY mean_score;
-- #endregion

-- #region eval-events-by-upstream
-- The same when scores are semconv `gen_ai.evaluation.result` events on the model-call span they judge.
SELECT SpanAttributes['gen_ai.route.upstream'] AS upstream,
       event.Attributes['gen_ai.evaluation.name'] AS evaluation,
       round(avg(toFloat64OrNull(event.Attributes['gen_ai.evaluation.score.value'])), 3) AS mean_score,
       count() AS results
FROM otel.otel_traces
ARRAY JOIN Events AS event
WHERE event.Name = 'gen_ai.evaluation.result' AND Timestamp >= now() - INTERVAL 7 DAY
GROUP BY upstream, evaluation
ORDER BY evaluation, mean_score;
-- #endregion
