// A query's shape is read by the language's own parser (scripts/lab/query-shape.ts): what a string holds is not
// code, a structural operator is found whatever its spacing, and a query that does not parse says so.
import { describe, expect, it } from 'vitest';
import { promqlShape, traceqlShape } from '../../scripts/lab/query-shape.js';

describe('TraceQL shapes (Grafana\'s Lezer grammar)', () => {
  it('conditions: the field with and without its scope, intrinsic or not, the operator and the value', () => {
    expect(traceqlShape('{ span.http.status_code >= 403 && name = "authenticate" }').conditions).toEqual([
      { field: 'span.http.status_code', name: 'http.status_code', intrinsic: false, op: '>=', value: '403' },
      { field: 'name', name: 'name', intrinsic: true, op: '=', value: 'authenticate' },
    ]);
    expect(traceqlShape('{ .http.status_code = 403 }').conditions[0]).toMatchObject({ field: '.http.status_code', name: 'http.status_code' });
  });

  it('structural operators between spansets, never inside a string; && between spansets is not one', () => {
    expect(traceqlShape('{ .a = 1 }>>{ .b = 2 }').structural).toEqual(['>>']);
    expect(traceqlShape('{ .a = 1 } ~ { .b = 2 }').structural).toEqual(['~']);
    expect(traceqlShape('{ .a = 1 } < { .b = 2 }').structural).toEqual(['<']);
    expect(traceqlShape('{ .x = "a >> b" }').structural).toEqual([]);
    expect(traceqlShape('{ .a = 1 } && { .b = 2 }').structural).toEqual([]);
    // a name that only a string holds is no condition on it
    expect(traceqlShape('{ .note = "http.status_code = 403" }').conditions.map((c) => c.name)).toEqual(['note']);
  });

  it('a query that does not parse says so', () => {
    expect(traceqlShape('{ span.http.status_code = 403 ').parsed).toBe(false);
    expect(traceqlShape('{ span.http.status_code = 403 }').parsed).toBe(true);
  });
});

describe('PromQL shapes (Prometheus\' Lezer grammar)', () => {
  it('selectors with the labels their matchers name, and the functions called', () => {
    expect(promqlShape('sum(rate(traces_service_graph_request_failed_total{client="shop-backend", server=~"auth.*"}[5m]))')).toEqual({ parsed: true, selectors: [{ metric: 'traces_service_graph_request_failed_total', labels: ['client', 'server'] }], functions: ['rate'] });
    expect(promqlShape('sum(rate(traces_service_graph_request_failed_total[5m]))').selectors[0]!.labels).toEqual([]);
    // a label value that looks like a matcher is a value
    expect(promqlShape('up{job="client=\\"x\\""}').selectors[0]!.labels).toEqual(['job']);
    expect(promqlShape('sum(rate(x[5m]').parsed).toBe(false);
  });
});
