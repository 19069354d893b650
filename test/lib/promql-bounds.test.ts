// A learner's PromQL is bounded before Prometheus sees it (scripts/lab/exercises.ts tooHeavy): on the embedded lab,
// Prometheus 2.42 with --query.timeout=30s and --query.max-samples=5000000 still grew to 18 GB and answered after
// 2 min 56 s on max_over_time(rate(traces_spanmetrics_calls_total[5m])[3650d:1s]) (measured this session). The
// exercise command refuses such an answer without a request.
import { describe, expect, it } from 'vitest';
import { PROMQL_BOUNDS, tooHeavy } from '../../scripts/lab/exercises.js';
import { FakeWorld, runCli } from '../helpers/fakes.js';

describe('PromQL answers an exercise will not send', () => {
  it('ranges over a day and subqueries of too many steps; the exercises\' own windows pass', () => {
    expect(tooHeavy('max_over_time(rate(traces_spanmetrics_calls_total[5m])[3650d:1s])')).toBe('a range of 3650d (this lab holds minutes of data; ranges here are at most 1d)');
    expect(tooHeavy('rate(x[2d])')).toBe('a range of 2d (this lab holds minutes of data; ranges here are at most 1d)');
    expect(tooHeavy('max_over_time(rate(x[5m])[1d:1s])')).toBe(`a subquery of 86400 steps ([1d:1s]; at most ${PROMQL_BOUNDS.subquerySteps})`);
    expect(tooHeavy('max_over_time(rate(x[5m])[1h:])')).toBeUndefined();
    expect(tooHeavy('sum by (client, server) (rate(traces_service_graph_request_failed_total{client="shop-backend"}[5m]))')).toBeUndefined();
    expect(tooHeavy('rate(x[1h30m])')).toBeUndefined();
    // a label value is text, not a range
    expect(tooHeavy('x{path="[3650d]"}')).toBeUndefined();
  });

  it('workbook exercise refuses it in one line, exit 1, sending nothing (Prometheus here is a closed port)', async () => {
    const world = new FakeWorld({ rules: {} });
    try {
      const r = await runCli(['exercise', 'edge-error-rate', '--prometheus-url', 'http://127.0.0.1:1', '--query', 'max_over_time(rate(traces_spanmetrics_calls_total[5m])[3650d:1s])'], world.env({ CI: 'true' }));
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('not sent to Prometheus: a range of 3650d');
    } finally {
      world.cleanup();
    }
  });
});
