// Layers you can see in the folders (scripts/core, effects, lab, ui, cli, commands), and which may import which.
// The core imports none of the others; chapters use only the core and the lab clients; nothing but the CLI reaches
// into the commands.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { ROOT } from '../helpers/fakes.js';

/** Every relative import (static or dynamic) of the .ts files under a folder, as paths relative to `root`. */
function imports(dir: string, root = ROOT): { file: string; target: string }[] {
  const out: { file: string; target: string }[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) {
        for (const m of readFileSync(p, 'utf8').matchAll(/(?:from\s+|import\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
          out.push({ file: relative(root, p), target: relative(root, resolve(dirname(p), m[1]!)) });
        }
      }
    }
  };
  walk(join(root, dir));
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

/** The imports of a layer's files that reach a layer it may not import. */
function violations(layer: string, root = ROOT): string[] {
  const dir = layer === 'chapters' ? 'chapters' : `scripts/${layer}`;
  return imports(dir, root).filter((i) => !ALLOWED[layer]!.includes(layerOf(i.target))).map((i) => `${i.file} → ${i.target}`);
}

describe('layers', () => {
  it.each(Object.keys(ALLOWED))('%s imports only what its layer may', (layer) => {
    expect(violations(layer)).toEqual([]);
  });
  it('the detector reports a wrong-way import, static or dynamic, and nothing else', () => {
    const root = mkdtempSync(join(tmpdir(), 'wb-layers-'));
    try {
      mkdirSync(join(root, 'scripts/core'), { recursive: true });
      writeFileSync(join(root, 'scripts/core/good.ts'), "import { say } from './text.js';\n");
      writeFileSync(join(root, 'scripts/core/bad.ts'), "import { realHttp } from '../effects/real.js';\nconst ui = await import('../ui/report.js');\n");
      expect(violations('core', root).sort()).toEqual(['scripts/core/bad.ts → scripts/effects/real.js', 'scripts/core/bad.ts → scripts/ui/report.js']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
