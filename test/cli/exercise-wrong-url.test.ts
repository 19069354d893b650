// Exercises ask through the lab's one client per service: a --tempo-url or --prometheus-url that answers an HTML page
// with 200 (a login page, a proxy) is named as the checks name it, one line and a hint, exit 1; never "internal error".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { FakeWorld, runCli } from '../helpers/fakes.js';

let html: Server;
let url = '';
beforeAll(async () => {
  html = createServer((_q, r) => r.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>login</body></html>'));
  await new Promise<void>((r) => html.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(html.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => html.close(() => r())));

describe('an exercise answered by a page that is not the lab', () => {
  it('TraceQL against an HTML page: named, with the Tempo hint', async () => {
    const world = new FakeWorld({ rules: {} });
    try {
      const r = await runCli(['exercise', 'find-forbidden', '--tempo-url', url, '--query', '{ span.http.status_code = 403 }'], world.env({ CI: 'true' }));
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('error: GET /api/search: not a search response (an HTML page)');
      expect(r.stderr).toContain('hint: The search API did not answer as Tempo 2.2 does (HTTP 200, an HTML page).');
      expect(r.stderr).not.toContain('internal error');
    } finally {
      world.cleanup();
    }
  });

  it('PromQL against an HTML page: named, with the Prometheus hint', async () => {
    const world = new FakeWorld({ rules: {} });
    try {
      const r = await runCli(['exercise', 'edge-error-rate', '--prometheus-url', url, '--query', 'sum(rate(traces_service_graph_request_failed_total[5m]))'], world.env({ CI: 'true' }));
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('error: PromQL query → HTTP 200, not Prometheus\' API: <html><body>login</body></html>');
      expect(r.stderr).toContain('hint: The answer was not Prometheus\' HTTP API (HTTP 200).');
    } finally {
      world.cleanup();
    }
  });
});
