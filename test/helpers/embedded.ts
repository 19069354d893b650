// What the embedded lab's real tests share: the Tempo binary that runs here (not only from a container), a learner's
// environment (the fakes first on PATH, then Debian's prometheus; no state folder of the world's), state folders
// that are taken down and removed after the file, and a lab's recorded state.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeWorld, runCli } from './fakes.js';
import { tempoBinary } from './real-tempo.js';
import { prometheusBinary } from './prometheus.js';
import type { LabState } from '../../scripts/effects/embedded-lab.js';

const found = tempoBinary();
/** The Tempo 2.2.2 binary, when one runs on this machine itself. */
export const tempoBin = found.bin && !found.bin.startsWith('docker:') ? found.bin : undefined;
export const whyNoTempo = found.why ?? 'the Tempo binary runs only from a container here';

/** A world for one test file: its env(), fresh state folders (tmp), and cleanup() that takes every lab down. */
export function embeddedWorld(prefix: string) {
  const world = new FakeWorld({ rules: {} });
  const dirs: string[] = [];
  const env = (): NodeJS.ProcessEnv => {
    const e = world.env({ CI: 'true', PATH: `${world.env().PATH}:${prometheusBinary().replace(/\/prometheus$/, '')}` });
    delete e.WORKBOOK_STATE_DIR;
    return e;
  };
  return {
    world,
    env,
    tmp: () => {
      const d = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(d);
      return d;
    },
    async cleanup() {
      for (const d of dirs) {
        await runCli(['lab', 'down', '--state-dir', d], env());
        rmSync(d, { recursive: true, force: true });
      }
      world.cleanup();
    },
  };
}

/** The lab recorded in a state folder. */
export const stateOf = (d: string) => JSON.parse(readFileSync(join(d, 'lab', 'lab.json'), 'utf8')) as LabState;
