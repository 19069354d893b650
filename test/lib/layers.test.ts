// Layers you can see in the folders (scripts/core, effects, lab, ui, cli, commands), and which may import which.
// The core imports none of the others; chapters use only the core and the lab clients; nothing but the CLI reaches
// into the commands.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ROOT } from '../helpers/fakes.js';

/** Every relative import (static or dynamic) of the .ts files under a folder, as repo-relative folders. */
function imports(dir: string): { file: string; target: string }[] {
  const out: { file: string; target: string }[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) {
        for (const m of readFileSync(p, 'utf8').matchAll(/(?:from\s+|import\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
          out.push({ file: relative(ROOT, p), target: relative(ROOT, resolve(dirname(p), m[1]!)) });
        }
      }
    }
  };
  walk(join(ROOT, dir));
  return out;
}
const layerOf = (path: string): string => /^scripts\/(core|effects|lab|ui|cli|commands)\//.exec(path)?.[1] ?? path.split('/')[0] ?? path;

const ALLOWED: Record<string, string[]> = {
  core: ['core'],
  effects: ['core', 'effects', 'lab'],
  lab: ['core', 'lab'],
  ui: ['core', 'effects', 'lab', 'ui'],
  cli: ['core', 'effects', 'lab', 'ui', 'cli'],
  commands: ['core', 'effects', 'lab', 'ui', 'cli', 'commands'],
  chapters: ['core', 'lab', 'chapters'],
};

describe('layers', () => {
  it.each(Object.keys(ALLOWED))('%s imports only what its layer may', (layer) => {
    const dir = layer === 'chapters' ? 'chapters' : `scripts/${layer}`;
    const wrong = imports(dir).filter((i) => !ALLOWED[layer]!.includes(layerOf(i.target))).map((i) => `${i.file} → ${i.target}`);
    expect(wrong).toEqual([]);
  });
  it('the detector sees a wrong-way import', () => {
    expect(layerOf('scripts/lab/kube.js')).toBe('lab');
    expect(ALLOWED.core!.includes(layerOf('scripts/effects/real.js'))).toBe(false);
  });
});
