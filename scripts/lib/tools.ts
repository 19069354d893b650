import type { ChapterContext, Lab } from './model.js';
import type { ShellResult } from './ports.js';

/** Every kubectl call names the lab's context: the learner's "current" context is never touched by accident. */
export function kubectl(lab: Lab, ...args: string[]): string[] {
  return ['kubectl', '--context', lab.context, ...args];
}

export function helm(lab: Lab, ...args: string[]): string[] {
  return ['helm', '--kube-context', lab.context, ...args];
}

/** Run a read-only tool command and parse its JSON output. */
export async function runJson<T>(ctx: ChapterContext, argv: string[]): Promise<{ res: ShellResult; json?: T }> {
  const res = await ctx.shell.run({ argv, timeoutMs: 30_000 });
  if (res.exitCode !== 0) return { res };
  try {
    return { res, json: JSON.parse(res.stdout) as T };
  } catch {
    return { res };
  }
}

/** Names of the kind clusters on this machine (empty when kind fails or has none). */
export async function kindClusters(ctx: ChapterContext): Promise<string[]> {
  const res = await ctx.shell.run({ argv: ['kind', 'get', 'clusters'], timeoutMs: 30_000 });
  return res.exitCode === 0 ? res.stdout.split('\n').map((s) => s.trim()).filter(Boolean) : [];
}
