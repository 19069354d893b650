// Ctrl-C during the checks of an interactive `run` (the clack path), in a real pseudo-terminal: exit 130, the
// port-forwards stopped, the chapter saved as interrupted; as on the listr path.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { alive, CLI, FakeWorld, ROOT } from '../helpers/fakes.js';
import { LAB_CONTEXT } from '../helpers/scenarios.js';
import { freePort } from '../../scripts/effects/portforward.js';

// the interpreter itself, not a shim (pyenv's shims need their own PATH, which the fake world does not have)
const python = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout?.trim() ?? '';
if (!python) console.log('the pseudo-terminal test is skipped: python3 (its pty module drives the terminal) is not installed');

describe.skipIf(!python)('Ctrl-C in a real terminal, during the checks of workbook run', () => {
  it('exits 130, leaves no port-forward, and marks the chapter interrupted', async () => {
    const world = new FakeWorld({
      rules: {
        helm: [{ prefix: ['repo'], stdout: 'ok\n' }, { prefix: ['--kube-context'], stdout: 'STATUS: deployed\n' }],
        // the fake port-forward answers "fake", not Prometheus: the checks keep re-probing until Ctrl-C
        kubectl: [...LAB_CONTEXT, { prefix: ['--context', 'kind-tempo-lab', 'port-forward'], listen: true }],
      },
    });
    try {
      const env = world.env({ WORKBOOK_PORTS: `prometheus=${await freePort()},grafana=${await freePort()}` });
      delete env.CI;
      const r = spawnSync(python, [join(ROOT, 'test/helpers/pty-walk.py'), JSON.stringify([['Checking that it worked', ''], ['attempt', '^C']]), process.execPath, CLI, 'run', 'prometheus', '--yes'], { env, encoding: 'utf8', timeout: 60_000 });
      const screen = stripVTControlCharacters(r.stdout);
      expect(screen).toMatch(/EXIT 130\n$/);
      expect(screen).toContain('interrupted: stopping port-forwards and saving progress');
      expect(screen).not.toContain('Canceled');
      expect(world.progress().chapters.prometheus.status).toBe('interrupted');
      const forwards = world.calls('kubectl').filter((c) => c.argv.includes('port-forward'));
      expect(forwards.length).toBeGreaterThan(0);
      for (const f of forwards) expect(alive(f.pid)).toBe(false);
    } finally {
      world.cleanup();
    }
  });
});

describe.skipIf(!python)('Ctrl-C in a real terminal, during workbook watch', () => {
  it('the board is drawn in place; Ctrl-C exits 0 and leaves no port-forward', async () => {
    const world = new FakeWorld({
      rules: {
        // the fake port-forwards answer "fake", not Prometheus or Grafana: the board shows the checks failing
        kubectl: [...LAB_CONTEXT, { prefix: ['--context', 'kind-tempo-lab', 'port-forward'], listen: true }],
      },
    });
    try {
      const env = world.env({ WORKBOOK_PORTS: `prometheus=${await freePort()},grafana=${await freePort()}`, WORKBOOK_WATCH_MS: '300' });
      delete env.CI;
      const r = spawnSync(python, [join(ROOT, 'test/helpers/pty-walk.py'), JSON.stringify([['round 3', '^C']]), process.execPath, CLI, 'watch', 'prometheus'], { env, encoding: 'utf8', timeout: 60_000 });
      expect(r.stdout).toMatch(/\x1b\[\d+A\r\x1b\[0J/);
      const screen = stripVTControlCharacters(r.stdout);
      expect(screen).toMatch(/EXIT 0\n$/);
      expect(screen).toContain('watching 2. kube-prometheus-stack with exemplars and remote write');
      // the fake answers "fake" to every path: it is named as not Prometheus
      expect(screen).toMatch(/✖ Prometheus is ready \(for [^)]+\)\r?\n {4}GET \/-\/ready → 200 fake; GET \/api\/v1\/status\/buildinfo → 200 fake/);
      // the tty's SIGINT reaches kubectl port-forward too: once aborted, a forward that dies is not started again
      expect(screen).not.toContain('starting it again');
      const forwards = world.calls('kubectl').filter((c) => c.argv.includes('port-forward'));
      expect(forwards.length).toBeGreaterThan(0);
      for (const f of forwards) expect(alive(f.pid)).toBe(false);
    } finally {
      world.cleanup();
    }
  });
});

describe.skipIf(!python)('Ctrl-C in a real terminal, inside the menu\'s "Verify everything"', () => {
  it('leaves at once with 130 and a word on progress; the menu is not drawn again', async () => {
    const world = new FakeWorld({
      rules: {
        // the fake port-forward answers "fake": chapter 2's Grafana check keeps re-probing until Ctrl-C
        kubectl: [...LAB_CONTEXT, { prefix: ['--context', 'kind-tempo-lab', 'port-forward'], listen: true }],
      },
    });
    try {
      const env = world.env({ WORKBOOK_PORTS: `prometheus=${await freePort()},grafana=${await freePort()}` });
      delete env.CI;
      // Continue, Run a chapter, Read a lesson, Verify everything: three downs
      const down = '\x1b[B';
      const r = spawnSync(python, [join(ROOT, 'test/helpers/pty-walk.py'), JSON.stringify([['What next?', `${down}${down}${down}\r`], ['attempt', '^C']]), process.execPath, CLI], { env, encoding: 'utf8', timeout: 60_000 });
      const screen = stripVTControlCharacters(r.stdout);
      expect(screen).toMatch(/EXIT 130\n$/);
      const after = screen.slice(screen.indexOf('interrupted: stopping port-forwards'));
      expect(after).not.toContain('What next?');
      // what was running is saved as interrupted, whichever way the action ended (returned or threw)
      expect(Object.values(world.progress().chapters).some((c) => (c as { status: string }).status === 'interrupted')).toBe(true);
      const forwards = world.calls('kubectl').filter((c) => c.argv.includes('port-forward'));
      for (const f of forwards) expect(alive(f.pid)).toBe(false);
    } finally {
      world.cleanup();
    }
  });
});

