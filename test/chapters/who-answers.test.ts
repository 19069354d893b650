// A URL that answers, but not as the component it should name, is a final, named cause: not "still starting".
// Servers here: one that answers 404 to everything, an HTML login page answering 200 to everything, and the Tempo
// contract server (its /status/version is the captured one) given where Prometheus is expected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { executeCheck } from '../../scripts/core/engine.js';
import { checks as ch2 } from '../../chapters/02-prometheus/index.js';
import { checks as ch3 } from '../../chapters/03-tempo/index.js';
import { NOT_THE_COMPONENT } from '../../scripts/lab/check-kinds.js';
import { freePort } from '../../scripts/effects/portforward.js';
import { startTempoServer, type TempoServer } from '../helpers/tempo-server.js';
import { testContext, testLab } from '../helpers/context.js';

const servers: Server[] = [];
async function serve(status: number, type: string, body: string): Promise<string> {
  const s = createServer((_req, res) => res.writeHead(status, { 'content-type': type }).end(body));
  const port = await freePort();
  await new Promise<void>((r) => s.listen(port, '127.0.0.1', () => r()));
  servers.push(s);
  return `http://127.0.0.1:${port}`;
}
let notFound: string;
let login: string;
let tempo: TempoServer;
beforeAll(async () => {
  // Go's net/http NotFound body, as Tempo and Prometheus both answer an unknown path
  notFound = await serve(404, 'text/plain; charset=utf-8', '404 page not found\n');
  login = await serve(200, 'text/html', '<!doctype html><html><body><form>Sign in</form></body></html>');
  tempo = await startTempoServer();
});
afterAll(async () => {
  for (const s of servers) s.close();
  await tempo.close();
});

const ready = ch3.find((c) => c.id === 'ready')!;
const promReady = ch2.find((c) => c.id === 'prometheus-ready')!;

describe('who answers', () => {
  it.each([
    ['a 404 server', () => notFound, 'GET /ready → 404 404 page not found; GET /status/version → 404 404 page not found'],
    ['an HTML login page', () => login, 'GET /ready → 200 <!doctype html><html><body><form>Sign in</form></body></html; GET /status/version → 200 <!doctype html><html><body><form>Sign in</form></body></html'], // each answer cut at 60 characters,
  ])('--tempo-url at %s: the ready check fails at once, naming it not Tempo', async (_what, url, evidence) => {
    const ctx = await testContext(testLab({ urls: { tempo: url() } }));
    const r = await executeCheck(ready, ctx);
    expect(r).toMatchObject({ status: 'failed', attempts: 1, evidence });
    expect(r.hint!.en).toBe(NOT_THE_COMPONENT.en.replaceAll('{name}', 'Tempo').replace('{evidence}', evidence).replace('{where}', `--tempo-url (${url()})`));
  });

  it.each([
    ['an HTML login page that answers 200 everywhere', () => login],
    ['Tempo', () => tempo.url],
  ])('--prometheus-url at %s: prometheus-ready fails at once, naming it not Prometheus (a 200 is not enough)', async (_what, url) => {
    const ctx = await testContext(testLab({ urls: { prometheus: url() } }));
    const r = await executeCheck(promReady, ctx);
    expect(r).toMatchObject({ status: 'failed', attempts: 1 });
    expect(r.hint!.en).toMatch(/^The address answers, but it is not Prometheus: .*Is --prometheus-url \(http:\/\/127\.0\.0\.1:\d+\) Prometheus's address\?$/);
  });

  it('the real component answers: Tempo\'s ready check names its version', async () => {
    const ctx = await testContext(testLab({ urls: { tempo: tempo.url } }));
    expect(await executeCheck(ready, ctx)).toMatchObject({ status: 'passed', evidence: 'GET /ready → 200 ready (Tempo version unknown)' });
  });

  it('an 8 MiB answer is final and named: the URL is not the component', async () => {
    const big = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(1024 * 1024, 0x61);
      let n = 0;
      const more = () => {
        while (n++ < 12) if (!res.write(chunk)) return void res.once('drain', more);
        res.end();
      };
      more();
    });
    const port = await freePort();
    await new Promise<void>((r) => big.listen(port, '127.0.0.1', () => r()));
    try {
      const ctx = await testContext(testLab({ urls: { tempo: `http://127.0.0.1:${port}` } }));
      const r = await executeCheck(ready, ctx);
      expect(r).toMatchObject({ status: 'failed', attempts: 1 });
      expect(r.evidence).toContain('response larger than 8 MiB');
      expect(r.hint!.en).toMatch(/answered, but not as tempo does/);
    } finally {
      big.close();
    }
  });
});
