#!/usr/bin/env node
// `npm start`: run the built CLI, building it first only when a source is newer than the build (npm ci's
// `prepare` builds once). Plain JavaScript, so it needs no build itself.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist/scripts/cli.js');
// tsc -incremental leaves unchanged outputs untouched, so the build's time is kept in a stamp of its own
const stamp = join(root, 'dist/.built-at');

/** Newest modification time under the given paths (TypeScript sources, lessons are read at run time). */
function newest(paths) {
  let t = 0;
  const walk = (p) => {
    const s = statSync(p);
    if (s.isDirectory()) {
      for (const e of readdirSync(p)) if (e !== 'node_modules' && e !== 'dist') walk(join(p, e));
    } else if (/\.(ts|json)$/.test(p)) t = Math.max(t, s.mtimeMs);
  };
  for (const p of paths) if (existsSync(p)) walk(join(root, p.replace(root, '')));
  return t;
}

const sources = ['scripts', 'chapters', 'tsconfig.json', 'tsconfig.build.json', 'package.json'].map((p) => join(root, p));
if (!existsSync(cli) || !existsSync(stamp) || newest(sources) > statSync(stamp).mtimeMs) {
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  writeFileSync(stamp, new Date().toISOString() + '\n');
}
// the CLI reads process.argv.slice(2), which here is already the learner's arguments: run it in this process
await import(pathToFileURL(cli).href);
