// A report on every exit: `verify <chapter> --json F` interrupted by SIGTERM (as `timeout` sends it) while a check
// waits on a lab that takes the connection and never answers (a hung Prometheus, Tempo, Grafana) writes its report,
// with the check that was running marked interrupted, for every chapter (counted from the catalog). SIGINT and
// SIGHUP take the same path (scripts/cli.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { CATALOG } from '../../scripts/core/catalog.js';
import { FakeWorld, ROOT } from '../helpers/fakes.js';
import { startHangServer } from '../helpers/hang.js';

let hang: Awaited<ReturnType<typeof startHangServer>>;
let url = '';
beforeAll(async () => {
  hang = await startHangServer();
  url = hang.url;
});
afterAll(() => hang.close());

const chapters = CATALOG.filter((c) => c.role !== 'teardown' && c.checks.length);

describe('SIGTERM while a check waits: the --json report is written', () => {
  for (const ch of chapters) {
    it(`chapter ${ch.number} (${ch.id})`, async () => {
      const world = new FakeWorld({ rules: {} });
      try {
        const report = join(world.dir, 'report.json');
        const args = ['verify', ch.id, '--json', report, '--prometheus-url', url, '--tempo-url', url, '--grafana-url', url, '--distributor-url', url, '--timeout', '5m'];
        const child = spawn(process.execPath, [join(ROOT, 'dist/scripts/cli.js'), ...args], { env: world.env({ CI: 'true' }), stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (b) => (out += String(b)));
        child.stderr.on('data', (b) => (out += String(b)));
        const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
        // the event: a check has started (the simple renderer prints ❯ before each; "❯ 1. …" is the chapter)
        await new Promise<void>((resolve) => {
          const look = () => /❯ (?!\d+\. )/.test(out) && resolve();
          child.stdout.on('data', look);
          look();
        });
        child.kill('SIGTERM');
        const code = await exited;
        expect(existsSync(report), out).toBe(true);
        const r = JSON.parse(readFileSync(report, 'utf8')) as { chapters: { id: string; state: string; items: { status: string }[] }[] };
        const mine = r.chapters.find((c) => c.id === ch.id);
        expect(mine, out).toBeDefined();
        // what ran when it stopped is interrupted, not failed; what finished before keeps its verdict
        const statuses = mine!.items.map((i) => i.status);
        if (statuses.length) expect(statuses.some((s) => s === 'interrupted') || mine!.state !== 'failed', out).toBe(true);
        expect(code).toBe(130);
        // and never a stack trace
        expect(out).not.toMatch(/\n\s+at .+\(file:/);
      } finally {
        world.cleanup();
      }
    }, 60_000);
  }
});
