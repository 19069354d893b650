// SIGTERM ends every long-running command within about 2 s (scripts/cli.ts: whatever has not settled 1.5 s after the
// signal is cleaned up and left): a verify waiting on a lab that never answers, an exercise, the traffic, the
// board, watch. Measured from the signal to the exit; the bound asserted is loose (5 s) so a busy machine cannot
// fail it, and the closing note reports the measured times.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { FakeWorld, ROOT } from '../helpers/fakes.js';
import { startHangServer } from '../helpers/hang.js';
import { freePort } from '../../scripts/effects/portforward.js';

let hang: Awaited<ReturnType<typeof startHangServer>>;
let url = '';
beforeAll(async () => {
  hang = await startHangServer();
  url = hang.url;
});
afterAll(() => hang.close());

const COMMANDS: [string, (port: number) => string[], RegExp][] = [
  ['verify, waiting on a lab that never answers', () => ['verify', 'traces', '--tempo-url', url, '--timeout', '5m'], /❯ (?!\d+\. )/],
  ['an exercise, its query unanswered', () => ['exercise', 'find-forbidden', '--tempo-url', url, '--query', '{ }'], /find-forbidden/],
  ['the traffic, sending forever', () => ['traffic', '--otlp-url', url, '--count', '0', '--rate', '1'], /sending the shop's templates/],
  ['the board', (port) => ['workshop', 'serve', '--listen', `127.0.0.1:${port}`, '--token', 'class-token-123'], /The board:/],
  ['watch', () => ['watch', 'traces', '--tempo-url', url], /traces|Finding/],
];

describe('SIGTERM ends a long-running command within about 2 s', () => {
  for (const [what, args, ready] of COMMANDS) {
    it(what, async () => {
      const world = new FakeWorld({ rules: {} });
      try {
        const child = spawn(process.execPath, [join(ROOT, 'dist/scripts/cli.js'), ...args(await freePort())], { env: world.env({ CI: 'true', WORKBOOK_WATCH_MS: '500' }), stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
        await new Promise<void>((resolve) => {
          const look = () => ready.test(out) && resolve();
          child.stdout.on('data', (b) => ((out += String(b)), look()));
          child.stderr.on('data', (b) => ((out += String(b)), look()));
        });
        const t0 = Date.now();
        child.kill('SIGTERM');
        await exited;
        const took = Date.now() - t0;
        console.log(`SIGTERM → exit: ${what}: ${took} ms`);
        expect(took, out).toBeLessThan(5000);
        expect(out).not.toMatch(/internal error|\n\s+at .+\(file:/);
      } finally {
        world.cleanup();
      }
    }, 60_000);
  }
});
