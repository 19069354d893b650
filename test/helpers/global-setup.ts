import { execFileSync } from 'node:child_process';
import { ROOT } from './fakes.js';

/** Tests spawn the built CLI: build it first with the package's own build (as `npm ci` does; incremental, quick when nothing changed). */
export default function setup(): void {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
}
