// Challenges against REAL services in the fault's state: `workbook challenge check` fails with the evidence of the
// fault (hints 1 and 2 point at it with this lab's addresses), then passes once fixed, and progress records the
// fix. The fault itself is put in with the FAKE helm/kubectl (no cluster here); its effect is reproduced on the
// real Prometheus 2.42 and Tempo 2.2.2: Prometheus started without the flag (then restarted on the same port with
// it), Tempo with processors or send_exemplars off (then a Tempo with the article's config), two ingesters of
// three killed (then restarted), traffic sent to the wrong port (then to the distributor's).
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeWorld, runCli } from '../helpers/fakes.js';
import { challengeLab } from '../helpers/scenarios.js';
import { startPrometheus, type RealPrometheus } from '../helpers/prometheus.js';
import { startTempo, startTempoMicroservices, tempoBinary, waitRing, type RealTempo } from '../helpers/real-tempo.js';
import { startTraffic } from '../helpers/real-lab.js';
import { freePort } from '../../scripts/effects/portforward.js';

const found = tempoBinary();
if (!found.bin) console.log(`real Tempo challenge tests skipped: ${found.why}`);

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A world where the workbook made the cluster, and the challenge has been started (with the fakes). */
async function started(id: string): Promise<{ world: FakeWorld; env: NodeJS.ProcessEnv }> {
  const world = new FakeWorld(challengeLab());
  cleanups.push(() => world.cleanup());
  mkdirSync(world.stateDir, { recursive: true });
  writeFileSync(join(world.stateDir, 'progress.json'), JSON.stringify({ version: 1, updatedAt: new Date().toISOString(), facts: { createdCluster: 'tempo-lab' }, chapters: {} }));
  const env = world.env({ CI: 'true' });
  const r = await runCli(['challenge', 'start', id, '--yes'], env);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return { world, env };
}

const check = (id: string, env: NodeJS.ProcessEnv, urls: string[], timeout = '20s') => runCli(['challenge', 'check', id, ...urls, '--timeout', timeout], env, { timeoutMs: 120_000 });
const hint = (id: string, env: NodeJS.ProcessEnv, urls: string[]) => runCli(['challenge', 'hint', id, ...urls, '--timeout', '5s'], env, { timeoutMs: 60_000 });

async function prom(o: { receiver: boolean; exemplars: boolean; port?: number }): Promise<RealPrometheus> {
  const p = await startPrometheus(o);
  cleanups.push(() => p.stop());
  return p;
}

async function tempo(o: Parameters<typeof startTempo>[0]): Promise<RealTempo> {
  const t = await startTempo(o);
  cleanups.push(() => t.stop());
  return t;
}

function traffic(otlpUrl: string) {
  const t = startTraffic(otlpUrl, { rate: 10 });
  cleanups.push(() => t.stop());
  return t;
}

describe.skipIf(!found.bin)('challenges on a real Prometheus 2.42 and a real Tempo 2.2.2', () => {
  // Prometheus' flags are the fault: started without one, then restarted with it on the same port
  it.each([
    { id: 'dots-gone', broken: { receiver: true, exemplars: false }, evidence: /✖ exemplar storage is on — enable-feature=\(none\)/, cause: 'read "enable-feature" in the flags' },
    { id: 'no-series', broken: { receiver: false, exemplars: true }, evidence: /✖ remote-write receiver is on — web\.enable-remote-write-receiver=false/, cause: 'remote write receiver needs to be enabled' },
  ])('$id: fails naming the missing flag (hint 2 says so); passes after Prometheus restarts with it on the same port', async ({ id, broken, evidence, cause }) => {
    const { world, env } = await started(id);
    let p = await prom(broken);
    const t = await tempo({ remoteWrite: p.url });
    traffic(t.otlpUrl);
    const urls = ['--prometheus-url', p.url, '--tempo-url', t.url];
    const no = await check(id, env, urls, '8s');
    expect(no.code, no.stdout + no.stderr).toBe(1);
    // before hint 2 the check keeps the cause back: the flag it read is not shown
    expect(no.stdout).not.toMatch(evidence);
    expect(no.stdout).toContain('what it read names the cause …');
    // hint 1: where to look by hand, at this lab's Prometheus; hint 2: what to look for; neither runs a check
    const h1 = await hint(id, env, urls);
    expect(h1.stdout).toMatch(/^Hint 1 of 3/);
    expect(h1.stdout).toContain(`curl -s ${p.url}/api/v1/status/flags`);
    const h2 = await hint(id, env, urls);
    expect(h2.stdout).toContain(cause);
    expect(h2.stdout).not.toContain('✖');
    // after hint 2, the check names what it read
    expect((await check(id, env, urls, '8s')).stdout).toMatch(evidence);

    await p.stop();
    p = await prom({ receiver: true, exemplars: true, port: p.port });
    const yes = await check(id, env, urls, '40s');
    expect(yes.code, yes.stdout + yes.stderr).toBe(0);
    expect(yes.stdout).toMatch(new RegExp(`✔ Fixed: ${id} in .+, with 2 hint\\(s\\)\\.`));
    expect(world.progress().challenges[id]).toMatchObject({ status: 'fixed', hintsUsed: 2 });
  });

  // Tempo's config is the fault: a Tempo in that state, then one with the article's config, both writing to one Prometheus
  it.each([
    { id: 'empty-service-graph', bad: { processors: [] as string[] }, cause: 'overrides.metrics_generator_processors lists what the generator computes', wait: '6s' },
    { id: 'exemplars-never-arrive', bad: { sendExemplars: false }, cause: 'Find metrics_generator.storage.remote_write', wait: '10s' },
  ])('$id: fails with the diagnosis that names it (hint 2); passes on a Tempo with the article\'s config', async ({ id, bad, cause, wait }) => {
    const { env } = await started(id);
    const p = await prom({ receiver: true, exemplars: true });
    const broken = await tempo({ remoteWrite: p.url, ...bad });
    const tb = traffic(broken.otlpUrl);
    const urls = ['--prometheus-url', p.url, '--tempo-url', broken.url];
    const no = await check(id, env, urls, wait);
    expect(no.code, no.stdout + no.stderr).toBe(1);
    const h1 = await hint(id, env, urls);
    expect(h1.stdout).toContain(`curl -s ${broken.url}/status/config`);
    const h2 = await hint(id, env, urls);
    expect(h2.stdout).toContain(cause);
    await tb.stop();
    const good = await tempo({ remoteWrite: p.url });
    traffic(good.otlpUrl);
    const yes = await check(id, env, ['--prometheus-url', p.url, '--tempo-url', good.url], '60s');
    expect(yes.code, yes.stdout + yes.stderr).toBe(0);
  });

  it('traces-stop-arriving: no spans arrive while the generator sends to a closed port; passes once it sends to the distributor', async () => {
    const { env } = await started('traces-stop-arriving');
    const t = await tempo({});
    const wrong = await freePort();
    const tw = traffic(`http://127.0.0.1:${wrong}`);
    const urls = ['--tempo-url', t.url];
    const no = await check('traces-stop-arriving', env, urls, '6s');
    expect(no.code, no.stdout + no.stderr).toBe(1);
    expect(no.stdout).toMatch(/✖ .*tempo_distributor_spans_received_total/);
    await tw.stop();
    traffic(t.otlpUrl);
    const yes = await check('traces-stop-arriving', env, urls, '30s');
    expect(yes.code, yes.stdout + yes.stderr).toBe(0);
  });

  it('writes-failing (microservices): two of three ingesters gone, the ring says the quorum is lost; passes when they are back', async () => {
    const { env } = await started('writes-failing');
    const ms = await startTempoMicroservices({});
    cleanups.push(() => ms.stop());
    traffic(ms.otlpUrl);
    await ms.kill('ingester-1');
    await ms.kill('ingester-2');
    await waitRing(ms.distributorUrl, 1, 30_000);
    const urls = ['--tempo-url', ms.url, '--distributor-url', ms.distributorUrl];
    const no = await check('writes-failing', env, urls, '6s');
    expect(no.code, no.stdout + no.stderr).toBe(1);
    expect(no.stdout).toMatch(/✖ the ingester ring has 3 ACTIVE members — 1\/3 ingesters ACTIVE and heartbeating/);
    await hint('writes-failing', env, urls);
    const h2 = await hint('writes-failing', env, urls);
    expect(h2.stdout).toMatch(/needs a majority \(2\) to answer/);
    // together: a starting ingester does not report ready while another ring member is past its heartbeat timeout
    // (Tempo 2.2.2's lifecycler: "found an existing instance(s) with a problem in the ring"), as seen on this binary
    await Promise.all([ms.restart('ingester-1'), ms.restart('ingester-2')]);
    await waitRing(ms.distributorUrl, 3, 30_000);
    // the generator's pushes failed while the quorum was lost; it sends again
    traffic(ms.otlpUrl);
    const yes = await check('writes-failing', env, urls, '60s');
    expect(yes.code, yes.stdout + yes.stderr).toBe(0);
    expect(yes.stdout).toContain('– every Tempo component has ready pods — asks the cluster');
  }, 240_000);
});
