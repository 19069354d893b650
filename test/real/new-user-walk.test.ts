// A new user's walk (issue: the learner's path on the embedded lab), in a REAL pseudo-terminal with the real
// Tempo 2.2.2 and Prometheus: `npm start` (node scripts/start.mjs) → the menu's "Start the embedded lab" →
// Continue, and "Continue with …?" after each chapter, until chapter 6 has passed. No step is offered to run or
// skip (the kind lab's steps are shown, not offered), no kind, helm or kubectl is called, and Continue never leads
// to a chapter that does not apply here. Then a second menu, opened while the lab is up, sees at its next action
// that the lab was stopped elsewhere.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/fakes.js';
import { embeddedWorld, tempoBin } from '../helpers/embedded.js';
import { FakeTtyIn, FakeTtyOut, KEY, typeWhen } from '../helpers/tty.js';
import { main } from '../../scripts/main.js';
import { ProgressStore } from '../../scripts/effects/progress.js';

const python = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout?.trim() ?? '';
const { world, env, tmp, cleanup } = embeddedWorld('wb-walk-');
afterAll(cleanup);

/** The steps of the walk: [what the screen shows, the keys typed then, how long it may take (s)]. */
const NO = KEY.right + KEY.enter;
const WALK: [string, string, number?][] = [
  // a fresh machine: the embedded lab is the entry just above Quit (up wraps to Quit, up once more)
  ['What next?', KEY.up + KEY.up],
  ['Start the embedded lab instead', KEY.enter],
  ['Ready.', '', 240],
  ['What next?', KEY.enter],
  ['Continue with 3.', KEY.enter, 240],
  ['Continue with 4.', KEY.enter, 240],
  ['Continue with 5.', KEY.enter, 240],
  ['exercises now', NO, 240],
  ['Continue with 6.', KEY.enter],
  ['exercises now', NO, 300],
  // nothing left that applies here: back at the menu, Quit
  ['What next?', KEY.up + KEY.enter, 60],
];

describe.skipIf(!tempoBin || !python)('a new user on the embedded lab, in a real terminal', () => {
  it('npm start → lab up → Continue ×N: chapter 6 passed, no Skip, no kind/helm/kubectl; a second menu sees the lab stopped elsewhere', async () => {
    const d = tmp();
    const e: NodeJS.ProcessEnv = { ...env(), WORKBOOK_TEMPO_BIN: tempoBin! };
    delete e.CI;
    world.clearCalls();
    const t0 = Date.now();
    const r = spawnSync(python, [join(ROOT, 'test/helpers/pty-walk.py'), JSON.stringify(WALK), process.execPath, join(ROOT, 'scripts/start.mjs'), '--state-dir', d], { env: e, encoding: 'utf8', timeout: 1_500_000, maxBuffer: 64 * 1024 * 1024 });
    const screen = stripVTControlCharacters(r.stdout);
    expect(screen.slice(-3000)).toMatch(/EXIT 0\n$/);
    console.log(`new-user walk: menu to chapter 6 passed in ${Math.round((Date.now() - t0) / 1000)} s`);
    // nothing offered to run or skip; Continue went from 2 to 6, never to 1 or 7
    expect(screen).not.toContain('Run it?');
    expect(screen).not.toContain('Skip (I did it myself)');
    expect(screen).not.toMatch(/Continue with [178]\./);
    expect([...world.calls('kind'), ...world.calls('helm'), ...world.calls('kubectl')]).toEqual([]);
    const progress = (await ProgressStore.open(d)).data.chapters;
    for (const ch of ['prometheus', 'tempo', 'traffic', 'traces', 'metrics-generator']) expect([ch, progress[ch]?.status]).toEqual([ch, 'passed']);

    // a second menu, opened while the lab is up, then the lab stopped from another terminal: its next action sees it
    const stdin = new FakeTtyIn();
    const stdout = new FakeTtyOut();
    const e2 = { ...e };
    const done = main(['--state-dir', d], { env: e2, cwd: process.cwd(), stdin: stdin as never, stdout: stdout as never, stderr: new FakeTtyOut() as never });
    // Run a chapter, Read a lesson, Verify, Show progress (every chapter passed: no Continue)
    let at = await typeWhen(stdout, 'What next?', stdin, '', 0, 60_000);
    expect(stdout.text.slice(at)).toContain('Stop the embedded lab');
    expect((await runCli(['lab', 'down', '--state-dir', d], env(), { timeoutMs: 120_000 })).code).toBe(0);
    at = await typeWhen(stdout, 'What next?', stdin, KEY.down.repeat(3) + KEY.enter, 0, 60_000);
    at = await typeWhen(stdout, 'What next?', stdin, '', at, 60_000);
    // the menu drawn after the action knows the lab is gone: no "Stop the embedded lab", the embedded lab offered again
    await new Promise((res) => setTimeout(res, 300));
    expect(stdout.text.slice(at)).not.toContain('Stop the embedded lab');
    expect(stdout.text.slice(at)).toContain('Start the embedded lab instead');
    stdin.write(KEY.up + KEY.enter);
    expect(await done).toBe(0);
  }, 1_800_000);
});
