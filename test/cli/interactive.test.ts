import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../scripts/main.js';
import { FakeWorld } from '../helpers/fakes.js';
import { FakeTtyIn, FakeTtyOut, KEY, typeWhen } from '../helpers/tty.js';
import { goodMachine } from '../helpers/scenarios.js';
import { freePort } from '../../scripts/effects/portforward.js';
import { ProgressStore } from '../../scripts/effects/progress.js';

let world: FakeWorld | undefined;
afterEach(() => world?.cleanup());

const NODE_IMAGE = 'kindest/node:v1.27.3@sha256:3966ac761ae0136263ffdb6cfd4db23ef8a83cba8a463690e98317add2c9ba72';

function ttyIo(env: NodeJS.ProcessEnv) {
  const stdin = new FakeTtyIn();
  const stdout = new FakeTtyOut();
  const stderr = new FakeTtyOut();
  return { stdin, stdout, stderr, io: { env, cwd: process.cwd(), stdin: stdin as never, stdout: stdout as never, stderr: stderr as never } };
}

/** Back at the menu (after `at` on the screen): Quit, its last entry (up wraps to it). */
async function quitMenu(t: ReturnType<typeof ttyIo>, at: number): Promise<void> {
  await typeWhen(t.stdout, 'What next?', t.stdin, KEY.up, at);
  await new Promise((r) => setTimeout(r, 50));
  t.stdin.write(KEY.enter);
}

describe('interactive mode (TTY stub, CI unset)', () => {
  it('a 20-column terminal: every menu line fits (a wrapped line garbles the redraw)', async () => {
    const world = new FakeWorld({ rules: {} });
    try {
      const env = world.env();
      delete env.CI;
      const t = ttyIo(env);
      t.stdout.columns = 20;
      const done = main([], t.io);
      await quitMenu(t, 0);
      expect(await done).toBe(0);
      const { cols } = await import('../../scripts/core/markdown.js');
      const lines = t.stdout.text.split('\n').map((l) => l.replace(/\s+$/, ''));
      expect(lines.filter((l) => cols(l) > 20)).toEqual([]);
      expect(t.stdout.text).toContain('Practice: bre…');
    } finally {
      world.cleanup();
    }
  });

  it('run cluster: shows the lesson and each command with why, asks, runs it, then shows the checks', async () => {
    world = new FakeWorld({
      rules: {
        kind: [
          { argv: ['get', 'clusters'], stdout: '' },
          { prefix: ['create', 'cluster'], stdout: 'Creating cluster "tempo-lab" ...\n', set: { ctx: 'kind-tempo-lab' } },
        ],
        kubectl: [
          { argv: ['config', 'get-contexts', '--output=name'], stdout: '{{ctx}}\n' },
          { argv: ['config', 'current-context'], stdout: '{{ctx}}\n' },
          { prefix: ['--context', 'kind-tempo-lab', 'get', 'nodes'], stdout: JSON.stringify({ items: [{ metadata: { name: 'n' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }] }) },
          { prefix: ['--context', 'kind-tempo-lab', 'get', 'deployment', 'coredns'], stdout: JSON.stringify({ spec: { replicas: 2 }, status: { readyReplicas: 2 } }) },
        ],
      },
    });
    const env = world.env();
    delete env.CI;
    const t = ttyIo(env);
    const done = main(['run', 'cluster'], t.io);
    await typeWhen(t.stdout, 'Run it?', t.stdin, KEY.enter);
    // a passed chapter offers the next one; decline
    await typeWhen(t.stdout, 'Continue with 2. kube-prometheus-stack with exemplars and remote write?', t.stdin, KEY.right + KEY.enter);
    expect(await done).toBe(0);
    const screen = t.stdout.text;
    expect(screen).toContain('kind ("Kubernetes in Docker")'); // the lesson
    expect(screen).toContain(`$ kind create cluster --name tempo-lab --image ${NODE_IMAGE} --config manifests/kind-cluster.yaml --wait 120s`);
    expect(screen).toContain('Why: One Docker container becomes a Kubernetes node');
    expect(screen).toContain('every node is Ready — 1/1 nodes Ready');
    expect(world.calls('kind').map((c) => c.argv[0])).toEqual(['get', 'create']);
  });

  it('choosing "Stop here" runs nothing and exits 0, progress as it was', async () => {
    world = new FakeWorld({ rules: { kind: [{ argv: ['get', 'clusters'], stdout: '' }] } });
    const env = world.env();
    delete env.CI;
    const t = ttyIo(env);
    const done = main(['run', 'cluster'], t.io).catch((e: { exitCode?: number }) => e.exitCode);
    await typeWhen(t.stdout, 'Run it?', t.stdin, KEY.down + KEY.down);
    await new Promise((r) => setTimeout(r, 50));
    t.stdin.write(KEY.enter);
    // the learner's choice: exit 0, nothing ran, and the chapter's last result is kept (here: none)
    expect(await done).toBe(0);
    expect(world.calls('kind')).toEqual([]);
    expect(t.stdout.text).toContain('Progress is saved');
    expect(existsSync(join(world.stateDir, 'progress.json')) ? world.progress().chapters.cluster : undefined).toBeUndefined();
  });

  it('opening a chapter that passed and stopping at its first prompt keeps its result', async () => {
    world = new FakeWorld({ rules: { kind: [{ argv: ['get', 'clusters'], stdout: '' }] } });
    const store = await ProgressStore.open(world.stateDir);
    store.startChapter('cluster', 'run');
    for (const id of ['context', 'nodes-ready', 'coredns']) store.record('cluster', 'checks', id, { status: 'passed', at: new Date().toISOString(), durationMs: 1 });
    store.finishChapter('cluster', 'passed');
    await store.save();
    const env = world.env();
    delete env.CI;
    const t = ttyIo(env);
    const done = main(['run', 'cluster'], t.io);
    await typeWhen(t.stdout, 'Run it?', t.stdin, KEY.down + KEY.down);
    await new Promise((r) => setTimeout(r, 50));
    t.stdin.write(KEY.enter);
    expect(await done).toBe(0);
    const after = world.progress().chapters.cluster;
    expect(after.status).toBe('passed');
    expect(Object.keys(after.checks)).toHaveLength(3);
  });

  it('the menu: "Read a lesson" shows it rendered and changes nothing; every action returns to the menu', async () => {
    world = new FakeWorld({ rules: {} });
    const store = await ProgressStore.open(world.stateDir);
    store.startChapter('prerequisites', 'verify');
    store.finishChapter('prerequisites', 'passed');
    await store.save();
    const before = JSON.stringify(world.progress().chapters);
    const env = world.env();
    delete env.CI;
    const t = ttyIo(env);
    const done = main([], t.io);
    // Continue, Run a chapter, Read a lesson
    let at = await typeWhen(t.stdout, 'What next?', t.stdin, KEY.down + KEY.down);
    await new Promise((r) => setTimeout(r, 50));
    t.stdin.write(KEY.enter);
    at = await typeWhen(t.stdout, 'Which lesson?', t.stdin, KEY.down + KEY.down + KEY.down + KEY.enter, at);
    // back at the menu: Quit is the last entry (up wraps to it)
    await quitMenu(t, at);
    expect(await done).toBe(0);
    const screen = t.stdout.text;
    expect(screen).toContain('3. Tempo in microservices mode');
    expect(screen).not.toContain('**'); // rendered, not raw Markdown
    // the lesson's commands paste clean: no box border before them
    const commands = screen.split('\n').filter((l) => /\b(curl|kubectl|helm) /.test(l) && !l.includes('What next?'));
    expect(commands.length).toBeGreaterThan(0);
    for (const l of commands) expect(l.replace(/\x1b\[[0-9;]*m/g, '')).not.toMatch(/^[│|┃]/);
    expect(screen).toContain('See you.');
    expect(JSON.stringify(world.progress().chapters)).toBe(before);
  });

  it('the menu offers to continue where you left off, and shows progress', async () => {
    world = new FakeWorld(goodMachine());
    const env = world.env({ WORKBOOK_PORTS: `grafana=${await freePort()},prometheus=${await freePort()},tempo=${await freePort()}` });
    delete env.CI;
    const t = ttyIo(env);
    const done = main([], t.io);
    // Continue, Run a chapter, Read a lesson, Verify, Show progress
    const at = await typeWhen(t.stdout, 'What next?', t.stdin, KEY.down + KEY.down + KEY.down + KEY.down);
    await new Promise((r) => setTimeout(r, 50));
    t.stdin.write(KEY.enter);
    // the menu comes back; Quit
    await quitMenu(t, at);
    expect(await done).toBe(0);
    expect(t.stdout.text).toContain('Continue: 0. Prerequisites (doctor)');
    expect(t.stdout.text).toContain('0 prerequisites');
    expect(t.stdout.text).toContain('Next: 0 Prerequisites (doctor) → workbook run prerequisites');
  });

  it('Practice from the menu: pick a challenge, start it, confirm the fault, and the symptom is shown (the cause is not)', async () => {
    const { challengeLab } = await import('../helpers/scenarios.js');
    const { mkdirSync, writeFileSync } = await import('node:fs');
    world = new FakeWorld(challengeLab());
    mkdirSync(world.stateDir, { recursive: true });
    writeFileSync(join(world.stateDir, 'progress.json'), JSON.stringify({ version: 1, updatedAt: new Date().toISOString(), facts: { createdCluster: 'tempo-lab' }, chapters: {} }));
    const env = world.env();
    delete env.CI;
    const t = ttyIo(env);
    const done = main([], t.io);
    // Continue, Run a chapter, Read a lesson, Verify, Show progress, Practice
    let at = await typeWhen(t.stdout, 'What next?', t.stdin, KEY.down.repeat(5));
    await new Promise((r) => setTimeout(r, 50));
    t.stdin.write(KEY.enter);
    // the fifth challenge: ingesters below quorum; then Start
    at = await typeWhen(t.stdout, 'Which challenge?', t.stdin, KEY.down.repeat(4) + KEY.enter, at);
    at = await typeWhen(t.stdout, 'What now?', t.stdin, KEY.enter, at);
    // the fault asks first (No is the default): Yes
    at = await typeWhen(t.stdout, 'This breaks your lab on purpose', t.stdin, KEY.left + KEY.enter, at);
    await quitMenu(t, at);
    expect(await done).toBe(0);
    // the fault's command stays hidden (it would name the cause); it ran all the same
    expect(t.stdout.text).toContain("$ (the fault's command is hidden: it would name the cause; --show-fault shows it)");
    expect(t.stdout.text).not.toContain('--replicas=1');
    expect(t.stdout.text).toContain('What you see: New traces stop appearing');
    expect(world.calls('kubectl').some((c) => c.argv.includes('scale'))).toBe(true);
    expect(world.progress().challenges['writes-failing'].status).toBe('broken');
  });
});

describe('the menu on a machine without Docker or kind', () => {
  it('offers the embedded lab first, with what the kind lab adds, and starting it runs `lab up`', async () => {
    world = new FakeWorld({ rules: { docker: [{ prefix: ['info'], exitCode: 1, stderr: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n' }] } });
    const env = world.env({ WORKBOOK_TEMPO_BIN: '/nowhere/tempo' });
    // the doctor finds no daemon (as `workbook doctor` records it)
    const quiet = { env: { ...env, CI: 'true' }, cwd: process.cwd(), stdin: new FakeTtyIn() as never, stdout: new FakeTtyOut() as never, stderr: new FakeTtyOut() as never };
    expect(await main(['doctor'], quiet)).toBe(1);
    delete env.CI;
    const t = ttyIo(env);
    const done = main([], t.io);
    // the first entry is the offer: Enter takes it
    await typeWhen(t.stdout, 'Start the embedded lab (no Docker needed)', t.stdin, KEY.enter);
    const at = await typeWhen(t.stdout, 'WORKBOOK_TEMPO_BIN /nowhere/tempo: no such file', t.stdin, '');
    await quitMenu(t, at);
    expect(await done).toBe(0);
    const screen = t.stdout.text;
    expect(screen).toContain('No Docker or kind here');
    expect(screen).toContain('what only the kind lab adds is the real Helm charts,');
  });
});

describe('the menu in zh-TW', () => {
  it('says its keys in Chinese, not clack\'s English footer', async () => {
    world = new FakeWorld({ rules: {} });
    const env = world.env({ WORKBOOK_LANG: 'zh-TW' });
    delete env.CI;
    const t = ttyIo(env);
    const done = main([], t.io);
    await typeWhen(t.stdout, '接下來要做什麼？（↑/↓ 選擇，Enter 確認）', t.stdin, KEY.up);
    await new Promise((r) => setTimeout(r, 50));
    t.stdin.write(KEY.enter);
    expect(await done).toBe(0);
    expect(t.stdout.text).not.toContain('to navigate');
    expect(t.stdout.text).toContain('下次見。');
  });
});

describe('a lesson longer than the screen', () => {
  it('goes through the pager ($PAGER) in a terminal, and is printed when it fits or outside one', async () => {
    world = new FakeWorld({ rules: {} });
    const paged = join(world.dir, 'paged.txt');
    const env = world.env({ PAGER: `cat > '${paged}'` });
    delete env.CI;
    const t = ttyIo(env);
    (t.stdout as unknown as { rows: number }).rows = 10;
    expect(await main(['lesson', 'tempo'], t.io)).toBe(0);
    expect(readFileSync(paged, 'utf8')).toContain('3. Tempo in microservices mode');
    expect(t.stdout.text).not.toContain('microservices mode');
    // a screen tall enough: printed as it is
    const tall = ttyIo(env);
    (tall.stdout as unknown as { rows: number }).rows = 500;
    expect(await main(['lesson', 'tempo'], tall.io)).toBe(0);
    expect(tall.stdout.text).toContain('3. Tempo in microservices mode');
    // a pager that fails (PAGER=false) showed nothing: the lesson is printed instead
    const failing = ttyIo(world.env({ PAGER: 'false' }));
    delete failing.io.env.CI;
    (failing.stdout as unknown as { rows: number }).rows = 10;
    expect(await main(['lesson', 'tempo'], failing.io)).toBe(0);
    expect(failing.stdout.text).toContain('3. Tempo in microservices mode');
  });
});

describe('Exercises from the menu', () => {
  it('pick one, and its question and a prompt for the query come up; Esc goes back to the menu', async () => {
    world = new FakeWorld({ rules: {} });
    // one solved already: its ✔ shows on its line, not only under the cursor
    const store = await ProgressStore.open(world.stateDir);
    const at0 = new Date().toISOString();
    store.setExercise('reached-cart', () => ({ firstTriedAt: at0, solvedAt: at0, timeToSolveMs: 1, attempts: [] }));
    await store.save();
    const env = world.env();
    delete env.CI;
    const t = ttyIo(env);
    const done = main([], t.io);
    let at = await typeWhen(t.stdout, 'What next?', t.stdin, KEY.down.repeat(6));
    await new Promise((r) => setTimeout(r, 50));
    t.stdin.write(KEY.enter);
    at = await typeWhen(t.stdout, 'Which exercise?', t.stdin, KEY.enter, at);
    at = await typeWhen(t.stdout, 'Your TraceQL:', t.stdin, '\x1b', at);
    await quitMenu(t, at);
    expect(await done).toBe(0);
    expect(t.stdout.text).toContain('find-forbidden: Find the forbidden requests');
    const { EXERCISES } = await import('../../scripts/lab/exercises.js');
    expect(t.stdout.text).toContain(`✔ ${EXERCISES.find((e) => e.id === 'reached-cart')!.title.en}`);
    expect(t.stdout.text).toContain(`· ${EXERCISES.find((e) => e.id === 'slow-authenticate')!.title.en}`);
    expect(t.stdout.text).toContain('Write a TraceQL query that finds the traces whose root span answered HTTP 403.');
  });
});
