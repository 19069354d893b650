// `npm start` builds only when a source changed (npm ci's prepare builds once), and `| head` ends quietly.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { FakeWorld, ROOT } from '../helpers/fakes.js';
import { goodMachine } from '../helpers/scenarios.js';

describe('scripts/start.mjs (npm start)', () => {
  it('runs the built CLI without building when nothing changed, and builds when a source is newer', () => {
    const stamp = join(ROOT, 'dist/.built-at');
    // the package's build (what npm ci's prepare and the tests' setup run) leaves the stamp: the first npm start
    // after npm ci does not build again
    expect(existsSync(stamp)).toBe(true);
    const before = statSync(stamp).mtimeMs;
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts/start.mjs'), '--version'], { encoding: 'utf8' });
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(statSync(stamp).mtimeMs).toBe(before); // no build
    // a source newer than the stamp: one build, then the stamp moves
    const src = join(ROOT, 'scripts/core/text.ts');
    const future = new Date(Date.now() + 2000);
    utimesSync(src, future, future);
    const r2 = spawnSync(process.execPath, [join(ROOT, 'scripts/start.mjs'), '--version'], { encoding: 'utf8' });
    expect(r2.status).toBe(0);
    expect(statSync(stamp).mtimeMs).toBeGreaterThan(before);
  });
});

describe('a closed pipe (workbook doctor | head -1)', () => {
  it('ends quietly with 141, no stack trace, and settles progress as interrupted', async () => {
    const world = new FakeWorld(goodMachine());
    try {
      const child = spawn(process.execPath, [join(ROOT, 'dist/scripts/cli.js'), 'doctor'], { env: world.env({ CI: 'true' }), stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.stdout.once('data', () => child.stdout.destroy()); // the reader goes away after the first line
      const code = await new Promise<number | null>((r) => child.on('exit', r));
      expect(code).toBe(141);
      expect(stderr).not.toMatch(/EPIPE|at .*node:/);
      expect(world.progress().chapters.prerequisites.status).toBe('interrupted');
    } finally {
      world.cleanup();
    }
  });
});
