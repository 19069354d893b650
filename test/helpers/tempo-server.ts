// A contract server for Tempo 2.2.2's HTTP API, answering from the recorded captures in test/fixtures/tempo.
// Listens on 127.0.0.1 only. See test/fixtures/tempo/README.md for what it adds to the captures.
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './fakes.js';
import { freePort } from '../../scripts/effects/portforward.js';

const DIR = join(ROOT, 'test/fixtures/tempo');
const read = (f: string) => readFileSync(join(DIR, f), 'utf8');

/** Trace ids with a captured /api/traces body. */
export const TRACE_FILES: Record<string, string> = {
  '110f0a897a8e08ad31715fece4e78545': 'tempo__api_traces_ID.json', // T1 list-articles
  '312e00f27cf65fb713a9a3fdda809b10': 'tempo__api_traces_ID_T2.json', // T2 article-to-cart
  // T3 (403) as xk6-client-tracing v0.0.2 makes it: only the CLIENT span is ERROR (the facts file's correction)
  '0fc2e2baec7f472602c188e4a6df6c9c': 'tempo__api_traces_T3_xk6_v0.0.2_statuses.json',
  b7203383d76e28663a57958ac4d759a8: 'tempo__api_traces_EXEMPLAR.json', // T1, the id of a captured exemplar
};

export interface TempoServerOptions {
  /** Tempo just restarted: searches find nothing. */
  emptySearch?: boolean;
  /** block_retention in /status/config; 'captured' leaves the capture's 24h0m0s. */
  retention?: string;
  /** how many ingesters are ACTIVE (of 3) */
  ringActive?: number;
  /** how much the spans-received counter grows per /metrics request */
  spansStep?: number;
  /** /api/traces answers: a cut-off JSON body, or an HTML error page */
  brokenTraces?: 'truncated' | 'html';
  /** rewrite /status/config (e.g. drop the processors) */
  config?: (text: string) => string;
}

export interface TempoServer {
  url: string;
  port: number;
  requests: string[];
  close(): Promise<void>;
}

export async function startTempoServer(opts: TempoServerOptions = {}): Promise<TempoServer> {
  const requests: string[] = [];
  let spans = 343;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(`${url.pathname}${url.search}`);
    const send = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    const p = url.pathname;
    if (p === '/ready') return send(200, read('tempo__ready.txt'), 'text/plain; charset=utf-8');
    // who answers: shared/reference captures tempo__status_version.txt (its headers say text/plain)
    if (p === '/status/version') return send(200, read('tempo__status_version.txt'), 'text/plain');
    if (p === '/api/echo') return send(200, read('tempo__api_echo.txt'), 'text/plain; charset=utf-8');
    if (p === '/api/search/tag/service.name/values') return send(200, read('tempo__api_search_tag_service.name_values.json'));
    if (p === '/api/v2/search/tag/resource.service.name/values') return send(200, read('tempo__api_v2_search_tag_resource.service.name_values.json'));
    if (p === '/api/search') {
      if (opts.emptySearch) return send(200, JSON.stringify({ traces: [], metrics: { inspectedBytes: '0', completedJobs: 1, totalJobs: 1 } }));
      const q = url.searchParams.get('q');
      const tags = url.searchParams.get('tags');
      let file: string;
      if (tags === 'service.name=shop-backend') file = 'tempo__api_search__tags=service.name=shop-backend,limit=5,start,end.json';
      else if (q === '{resource.service.name="shop-backend"}') file = 'tempo__api_search__q=TRACEQL_resource.service.name=shop-backend.json';
      // captures/tempo__api_search__q=TRACEQL_span.http.status_code=403_xk6_v0.0.2_statuses.json. With xk6 v0.0.2's
      // statuses, {status=error} finds the same 403 traces (through their CLIENT span; facts file, correction), so
      // it is answered from the same capture; the older {status=error} capture came from other traffic.
      else if (q === '{span.http.status_code=403}' || q === '{status=error}') file = 'tempo__api_search__q=TRACEQL_span.http.status_code=403_xk6_v0.0.2_statuses.json';
      else if (!q && !tags) file = 'tempo__api_search__no_params.json';
      else return send(200, JSON.stringify({ traces: [], metrics: { completedJobs: 1, totalJobs: 1 } }));
      const body = JSON.parse(read(file)) as { traces: unknown[] };
      const limit = Number(url.searchParams.get('limit') ?? 20);
      body.traces = body.traces.slice(0, limit);
      return send(200, JSON.stringify(body));
    }
    const trace = /^\/api\/traces\/([0-9a-fA-F]+)$/.exec(p);
    if (trace) {
      const file = TRACE_FILES[trace[1]!.toLowerCase().padStart(32, '0')];
      if (!file) return send(404, read('tempo__api_traces_00000000000000000000000000000001_notfound.txt'), 'text/plain; charset=utf-8');
      if (opts.brokenTraces === 'truncated') return send(200, read(file).slice(0, 200));
      if (opts.brokenTraces === 'html') return send(502, '<html><body>502 Bad Gateway</body></html>', 'text/html');
      return send(200, read(file));
    }
    if (p === '/status/config') {
      const text = read('tempo__status_config.txt');
      const retention = opts.retention ?? '48h0m0s';
      // the captured lab ran one process (ingester replication_factor 1); the article's values set 3 (README here)
      const rf = text.replace(/^( {12}replication_factor:) 1$/m, '$1 3');
      const cfg = retention === 'captured' ? rf : rf.replace('block_retention: 24h0m0s', `block_retention: ${retention}`);
      return send(200, opts.config ? opts.config(cfg) : cfg, 'text/plain');
    }
    if (p === '/ingester/ring') {
      if (req.headers.accept !== 'application/json') return send(200, '<html><body>Ingester Ring Status</body></html>', 'text/html');
      // dskit's ring page as JSON (grafana/tempo@v2.2.2 vendor/github.com/grafana/dskit/ring/http.go); an ingester
      // that stopped heartbeating is shown UNHEALTHY with its last heartbeat, as the real 2.2.2 processes show it
      // (test/real/microservices.test.ts kills real ingesters)
      const active = opts.ringActive ?? 3;
      const now = Date.now();
      const shards = [0, 1, 2].map((i) => ({
        id: `tempo-ingester-${i}`,
        state: i < active ? 'ACTIVE' : 'UNHEALTHY',
        address: `10.244.0.${10 + i}:9095`,
        timestamp: new Date(i < active ? now : now - 60_000).toISOString(),
        registered_timestamp: new Date(Date.now() - 60_000).toISOString(),
        zone: '',
        tokens: [],
      }));
      return send(200, JSON.stringify({ shards, now: new Date(now).toISOString() }));
    }
    if (p === '/metrics') {
      spans += opts.spansStep ?? 7;
      const text = read('tempo__metrics.grep.txt').replace(/^(tempo_distributor_spans_received_total\{tenant="single-tenant"\}) \d+$/m, `$1 ${spans}`);
      return send(200, text, 'text/plain; version=0.0.4; charset=utf-8');
    }
    send(404, '404 page not found\n', 'text/plain; charset=utf-8');
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${port}`, port, requests, close: () => new Promise((r) => server.close(() => r())) };
}
