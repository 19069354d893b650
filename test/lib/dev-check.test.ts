// In the style of rustlings' `dev check`: the catalog and the folders agree (test/cli/additive-chapter.test.ts),
// and no check can pass on an empty lab. Every check of chapters 1–7 runs against a lab with nothing in it (kubectl
// answers that the context does not exist; every URL answers 404) and must not pass.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { executeCheck } from '../../scripts/core/engine.js';
import { getProfile } from '../../scripts/lab/versions.js';
import { CATALOG } from '../../scripts/core/catalog.js';
import { freePort } from '../../scripts/effects/portforward.js';
import type { Shell } from '../../scripts/effects/real.js';
import { testContext, testLab } from '../helpers/context.js';

let server: Server;
let empty: string;
beforeAll(async () => {
  server = createServer((_q, res) => res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n'));
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  empty = `http://127.0.0.1:${port}`;
});
afterAll(() => server.close());

/** kubectl on a machine with no lab: every call fails the way kubectl does for a missing context. */
const noLab: Shell = {
  run: async (cmd) => (cmd.argv[0] === 'kubectl' && cmd.argv[1] === 'config' ? { exitCode: 0, stdout: '', stderr: '' } : { exitCode: 1, stdout: '', stderr: 'error: context "kind-tempo-lab" does not exist\n' }),
  which: async () => undefined,
};

describe('no check passes on an empty lab', () => {
  const chapters = CATALOG.filter((c) => c.number >= 1 && c.role !== 'teardown');
  it.each(chapters.flatMap((ch) => ch.checks.map((c) => [`${ch.id}/${c.id}`, c] as const)))('%s fails (with a hint)', async (_id, check) => {
    for (const urls of [{}, { prometheus: empty, tempo: empty, grafana: empty }]) {
      // a Tempo 3 check is tried on the profile it belongs to
      const ctx = await testContext(testLab({ urls, timeoutMs: 300, ...(check.tempo === 3 ? { profile: getProfile('current') } : {}) }), { shell: noLab });
      const r = await executeCheck(check, ctx);
      // a check that only asks the cluster does not apply when URLs are named; every other one fails, with a hint
      if (r.status === 'not-applicable') {
        expect(check.clusterOnly?.some((u) => u in urls), r.evidence).toBe(true);
        continue;
      }
      expect(r.status, r.evidence).toBe('failed');
      expect(r.hint?.en.length, r.evidence).toBeGreaterThan(0);
      expect(r.hint?.['zh-TW'].length, r.evidence).toBeGreaterThan(0);
    }
  });
});
