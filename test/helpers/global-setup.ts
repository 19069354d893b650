import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './fakes.js';

/** Tests spawn the built CLI: build it first (incremental, quick when nothing changed). */
export default function setup(): void {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
}
