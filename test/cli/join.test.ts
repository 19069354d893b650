// Attendees' side of the board (`workbook join`): reports queue in the state folder and go in the background; a
// board that is down changes nothing in the learner's run, and the queued reports arrive once it is back, each
// stored once; a wrong token sets a report aside instead of retrying it forever; --leave stops it.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FakeWorld, runCli } from '../helpers/fakes.js';
import { startBoard, type Board } from '../../scripts/effects/board.js';
import { boardViews } from '../../scripts/ui/board.js';
import { freePort } from '../../scripts/effects/portforward.js';
import { isQueued } from '../../scripts/effects/outbox.js';
import { TOKEN, learnersOf } from '../helpers/board.js';
let board: Board | undefined;
let world: FakeWorld | undefined;
afterEach(async () => {
  await board?.close();
  board = undefined;
  world?.cleanup();
});

const start = (dir: string, port: number) =>
  startBoard({ stateDir: dir, token: TOKEN, host: '127.0.0.1', port, views: boardViews('en', 300_000) });

/** The background sender started by a command since `since` has finished a round (it writes outbox/.last-send.json). */
async function senderDone(stateDir: string, since: number): Promise<void> {
  const { readFileSync } = await import('node:fs');
  for (let i = 0; ; i++) {
    try {
      if (JSON.parse(readFileSync(join(stateDir, 'outbox', '.last-send.json'), 'utf8')).at >= since) return;
    } catch {
      /* not yet */
    }
    if (i > 600) throw new Error('the sender never finished a round');
    await new Promise((r) => setTimeout(r, 100));
  }
}
const queued = (stateDir: string) => (existsSync(join(stateDir, 'outbox')) ? readdirSync(join(stateDir, 'outbox')).filter(isQueued) : []);

describe('workbook join (the attendee\'s side of the board)', () => {
  it('bad input: one line each, exit 2', async () => {
    world = new FakeWorld({ rules: {} });
    const env = world.env({ CI: 'true' });
    expect((await runCli(['join', 'not a url', '--token', 'x', '--name', 'A'], env)).stderr.trim()).toBe('error: "not a url" is not a URL (the instructor\'s board, e.g. http://192.168.1.10:8787)');
    expect((await runCli(['join', 'http://127.0.0.1:1', '--name', 'A'], env)).stderr.trim()).toBe('error: --token: the token the instructor gave is needed');
    const r = await runCli(['join', 'http://127.0.0.1:1', '--token', TOKEN, '--name', 'A\u0007'], env);
    expect([r.code, r.stderr.trim()]).toEqual([2, 'error: --name: at most 80 characters, no control characters']);
    // a name the board would show reversed or with invisible characters
    const rtl = await runCli(['join', 'http://127.0.0.1:1', '--token', TOKEN, '--name', 'Ann\u202egnp.exe'], env);
    expect([rtl.code, rtl.stderr.trim()]).toEqual([2, 'error: --name: no direction marks or invisible characters (the board shows names as written)']);
    // tokens the board can never accept are refused before anything is saved
    for (const bad of ['short', 'bad token\nx']) {
      const t = await runCli(['join', 'http://127.0.0.1:1', '--token', bad, '--name', 'A'], env);
      expect([t.code, t.stderr.trim()]).toEqual([2, "error: --token: not a token a board gives (8 to 200 letters, digits or . _ ~ -): copy it again from the instructor's screen"]);
    }
    expect(existsSync(join(world.stateDir, 'board.json'))).toBe(false);
  });

  it('the board down: the run is as it would be, the report waits; the board back: it arrives once', async () => {
    world = new FakeWorld({ rules: {} });
    const env = world.env({ CI: 'true' });
    const port = await freePort();
    expect((await runCli(['join', `http://127.0.0.1:${port}`, '--token', TOKEN, '--name', 'Ann'], env)).code).toBe(0);
    const alone = await runCli(['verify', 'cluster', '--state-dir', join(world.dir, 'other-state')], env);
    let since = Date.now();
    const joined = await runCli(['verify', 'cluster'], env);
    // the same verdict and output as without the board
    expect(joined.code).toBe(alone.code);
    expect(joined.stdout.replace(/\d+(\.\d+)? m?s/g, 'T')).toBe(alone.stdout.replace(/\d+(\.\d+)? m?s/g, 'T'));
    await senderDone(world.stateDir, since);
    expect(queued(world.stateDir)).toHaveLength(1);

    board = await start(join(world.dir, 'board'), port);
    const sent = await runCli(['workshop', 'send'], env);
    expect(sent.stdout.trim()).toBe('sent 1, set aside 0 (refused by the board)');
    expect(queued(world.stateDir)).toEqual([]);
    const rows = await learnersOf(board.url);
    expect(rows.map((r) => r.name)).toEqual(['Ann']);
    expect(rows[0].failing.ref).toMatch(/^cluster\//);
    // the next run's report goes on its own, in the background
    since = Date.now();
    await runCli(['verify', 'cluster'], env);
    await senderDone(world.stateDir, since);
    expect(queued(world.stateDir)).toEqual([]);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(join(world.dir, 'board', 'reports.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('a wrong token: the board stores nothing and the report is set aside, not retried; --leave stops it', async () => {
    world = new FakeWorld({ rules: {} });
    const env = world.env({ CI: 'true' });
    const port = await freePort();
    board = await start(join(world.dir, 'board'), port);
    await runCli(['join', `http://127.0.0.1:${port}`, '--token', 'not-the-token', '--name', 'Bo'], env);
    const since = Date.now();
    await runCli(['verify', 'cluster'], env);
    await senderDone(world.stateDir, since);
    expect(await learnersOf(board.url)).toEqual([]);
    expect(readdirSync(join(world.stateDir, 'outbox', 'rejected'))).toHaveLength(1);
    const leave = await runCli(['join', '--leave'], env);
    expect(leave.stdout.trim()).toBe(`Left the board at http://127.0.0.1:${port}; nothing more is sent.`);
    await runCli(['verify', 'cluster'], env);
    expect(existsSync(join(world.stateDir, 'outbox'))).toBe(false);
  });

  it('watch sends a round that changed a state; --show-secrets is never sent', async () => {
    world = new FakeWorld({ rules: {} });
    const env = world.env({ CI: 'true', WORKBOOK_WATCH_MS: '200' });
    const port = await freePort();
    board = await start(join(world.dir, 'board'), port);
    await runCli(['join', `http://127.0.0.1:${port}`, '--token', TOKEN, '--name', 'Cy'], env);
    const secret = await runCli(['verify', 'cluster', '--show-secrets'], env);
    expect(secret.stderr).toContain('note: not sent to the workshop board: --show-secrets puts passwords into the report');
    expect(queued(world.stateDir)).toEqual([]);
    const { spawn } = await import('node:child_process');
    const { ROOT } = await import('../helpers/fakes.js');
    const w = spawn(process.execPath, [join(ROOT, 'dist/scripts/cli.js'), 'watch', 'cluster'], { env, stdio: 'ignore' });
    try {
      for (let i = 0; !(await learnersOf(board.url)).length; i++) {
        if (i > 150) throw new Error('no report from watch within 30 s');
        await new Promise((r) => setTimeout(r, 200));
      }
      expect((await learnersOf(board.url))[0].name).toBe('Cy');
    } finally {
      w.kill('SIGINT');
    }
  });
});
