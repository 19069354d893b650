// The embedded lab's processes are owned for their whole life (scripts/effects/embedded-lab.ts), on the real
// binaries: `lab up` killed with SIGKILL at 0.5, 1.5 and 3 s, then `lab down`, leaves no process (checked by PID,
// by the lab's marker and by port); two `lab up` at once start one lab; a wrapper script that `exec`s Tempo (or
// forks it) is stopped; `lab restart tempo --values <bad>` stops nothing; a lab.json of the wrong shape is set aside
// by `lab down`; --tempo-bin a folder is one line.
import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { ROOT, runCli, alive, waitFor } from '../helpers/fakes.js';
import { embeddedWorld, stateOf, tempoBin } from '../helpers/embedded.js';

const { env, tmp, cleanup } = embeddedWorld('wb-labproc-');
afterAll(cleanup);

/** Every running process whose environment carries this lab's marker (what `lab down` must leave none of). */
function markedPids(d: string): number[] {
  const mark = `WORKBOOK_LAB_DIR=${join(d, 'lab')}`;
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        return readFileSync(`/proc/${e}/environ`, 'latin1').split('\0').includes(mark) && !readFileSync(`/proc/${e}/stat`, 'utf8').includes(') Z ');
      } catch {
        return false;
      }
    })
    .map(Number);
}
async function closed(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
    return false;
  } catch {
    return true;
  }
}

describe.skipIf(!tempoBin)('the embedded lab\'s processes, owned for their whole life (real Tempo and Prometheus)', () => {
  for (const ms of [500, 1500, 3000]) {
    it(`lab up killed with SIGKILL after ${ms} ms: lab down leaves no process`, async () => {
      const d = tmp();
      const child = spawn(process.execPath, [join(ROOT, 'dist/scripts/cli.js'), 'lab', 'up', '--microservices', '--state-dir', d, '--tempo-bin', tempoBin!], { env: env(), stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (b) => (stderr += String(b)));
      // listened for from the start: a lab up that ends before the kill (done, or failed) is not waited for forever
      const exited = new Promise((r) => child.once('exit', r));
      await new Promise((r) => setTimeout(r, ms));
      child.kill('SIGKILL');
      await exited;
      expect(stderr).toBe('');
      const recorded = existsSync(join(d, 'lab', 'lab.json')) ? stateOf(d).processes : [];
      const left = markedPids(d);
      // (what the kill left: recorded ones, and at most the one started but not yet recorded)
      expect(left.length).toBeLessThanOrEqual(recorded.length + 1);
      console.log(`lab up killed at ${ms} ms: ${left.length} process(es) running, ${recorded.length} recorded`);
      const down = await runCli(['lab', 'down', '--state-dir', d], env());
      expect(down.code, down.stderr).toBe(0);
      expect(markedPids(d)).toEqual([]);
      for (const p of recorded) {
        expect(alive(p.pid)).toBe(false);
        if (p.port) expect(await closed(p.port)).toBe(true);
      }
      // and the next lab up starts cleanly
      expect(existsSync(join(d, 'lab', 'lab.json'))).toBe(false);
    }, 120_000);
  }

  it('two lab up at once start one lab; lab down then leaves nothing', async () => {
    const d = tmp();
    const [a, b] = await Promise.all([0, 1].map(() => runCli(['lab', 'up', '--state-dir', d, '--tempo-bin', tempoBin!, '--no-traffic'], env(), { timeoutMs: 180_000 })));
    expect([a!.code, b!.code]).toEqual([0, 0]);
    expect([a!.stdout, b!.stdout].filter((o) => o.includes('already up; nothing was started'))).toHaveLength(1);
    const state = stateOf(d);
    expect(markedPids(d).sort()).toEqual(state.processes.map((p) => p.pid).sort());
    // another layout would replace it: refused without a terminal, unless --replace
    const other = await runCli(['lab', 'up', '--microservices', '--state-dir', d, '--tempo-bin', tempoBin!, '--no-traffic'], env());
    expect([other.code, other.stderr.trim()]).toEqual([2, 'error: an embedded lab (monolithic, profile article) is up here; `lab up` would stop it and start a microservices one (profile article): give --replace, or `workbook lab down` first']);
    expect(stateOf(d).processes.map((p) => p.pid)).toEqual(state.processes.map((p) => p.pid));
    await runCli(['lab', 'down', '--state-dir', d], env());
    expect(markedPids(d)).toEqual([]);
    for (const p of state.processes) expect(await closed(p.port!)).toBe(true);
  }, 240_000);

  it('a wrapper that execs Tempo, and one that forks it, are both stopped by lab down', async () => {
    for (const how of ['exec', 'fork']) {
      const d = tmp();
      const wrapper = join(d, `tempo-${how}.sh`);
      writeFileSync(wrapper, how === 'exec' ? `#!/bin/sh\nexec "${tempoBin}" "$@"\n` : `#!/bin/sh\n"${tempoBin}" "$@"\n`);
      chmodSync(wrapper, 0o755);
      const up = await runCli(['lab', 'up', '--state-dir', d, '--tempo-bin', wrapper, '--no-traffic'], env(), { timeoutMs: 180_000 });
      expect(up.code, up.stdout + up.stderr).toBe(0);
      const tempo = stateOf(d).processes.find((p) => p.name === 'tempo')!;
      const st = await runCli(['lab', 'status', '--state-dir', d], env());
      expect(st.stdout).toMatch(/✔ tempo +pid \d+ +127\.0\.0\.1:\d+ +ready/);
      await runCli(['lab', 'down', '--state-dir', d], env());
      expect(markedPids(d)).toEqual([]);
      expect(await closed(tempo.port!)).toBe(true);
    }
  }, 240_000);

  it('lab restart tempo --values with a file that does not parse stops nothing; a broken lab.json is set aside by lab down', async () => {
    const d = tmp();
    expect((await runCli(['lab', 'up', '--state-dir', d, '--tempo-bin', tempoBin!, '--no-traffic'], env(), { timeoutMs: 180_000 })).code).toBe(0);
    const before = stateOf(d);
    const bad = join(d, 'bad.yaml');
    writeFileSync(bad, 'metricsGenerator: [unclosed\n');
    const r = await runCli(['lab', 'restart', 'tempo', '--values', bad, '--state-dir', d], env());
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(new RegExp(`^error: ${bad.replace(/[.]/g, '\\.')}: not a values file \\(`));
    expect(stateOf(d).processes.map((p) => p.pid)).toEqual(before.processes.map((p) => p.pid));
    for (const p of before.processes) expect(alive(p.pid)).toBe(true);
    writeFileSync(bad, '- a list\n');
    expect((await runCli(['lab', 'restart', 'tempo', '--values', bad, '--state-dir', d], env())).stderr.trim()).toBe(`error: ${bad}: not a values file (a YAML map of keys is expected, not a list)`);
    // lab.json broken by hand: every command goes on as if no lab were recorded; lab down stops the marked processes
    writeFileSync(join(d, 'lab', 'lab.json'), JSON.stringify({ ...before, processes: [null] }));
    expect((await runCli(['status', '--state-dir', d], env())).code).not.toBe(70);
    const down = await runCli(['lab', 'down', '--state-dir', d], env());
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toContain(`${join(d, 'lab', 'lab.json')}: processes.0: Expected object, received null: set aside as lab.json.corrupt`);
    expect(markedPids(d)).toEqual([]);
    expect(existsSync(join(d, 'lab', 'lab.json.corrupt'))).toBe(true);
  }, 240_000);

  it('a --tempo-bin that never becomes ready: lab up gives up and leaves nothing, not even what the wrapper forked', async () => {
    const d = tmp();
    const wrapper = join(d, 'never-ready.sh');
    writeFileSync(wrapper, '#!/bin/sh\nsleep 300 &\nwait\n');
    chmodSync(wrapper, 0o755);
    const r = await runCli(['lab', 'up', '--state-dir', d, '--tempo-bin', wrapper, '--no-traffic'], { ...env(), WORKBOOK_LAB_READY_MS: '3000' }, { timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: tempo did not become ready within 3 s; its log: /);
    await waitFor('every process of the lab gone', () => markedPids(d).length === 0, 20_000);
    expect(existsSync(join(d, 'lab', 'lab.json'))).toBe(false);
  }, 120_000);

  it('--tempo-bin a folder, or a file that is not executable: one line, nothing started', async () => {
    const d = tmp();
    const r = await runCli(['lab', 'up', '--state-dir', d, '--tempo-bin', d], env());
    expect([r.code, r.stderr.trim()]).toEqual([2, `error: --tempo-bin ${d}: not a program (a folder)`]);
    const f = join(d, 'not-exec');
    writeFileSync(f, '#!/bin/sh\n');
    const r2 = await runCli(['lab', 'up', '--state-dir', d, '--tempo-bin', f], env());
    expect([r2.code, r2.stderr.trim()]).toEqual([2, `error: --tempo-bin ${f}: not executable (chmod +x ${f})`]);
    await waitFor('no lab state', () => !existsSync(join(d, 'lab', 'lab.json')));
  });
});
