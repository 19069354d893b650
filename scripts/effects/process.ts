import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Whether a process with this PID exists (EPERM: it exists, under another user). */
export function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A program's path on this PATH (the first folder that has it), without starting a shell. */
export function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(':').filter(Boolean)) if (existsSync(join(dir, name))) return join(dir, name);
  return undefined;
}
