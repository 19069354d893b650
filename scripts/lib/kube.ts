import { WorkbookError } from './errors.js';
import { lastLines } from './format.js';
import type { ChapterContext, Outcome } from './model.js';
import type { Text } from './text.js';
import { kubectl, runJson } from './tools.js';

export interface ContextState {
  exists: boolean;
  current?: string;
  known: string[];
}

/** Which kube contexts exist, and which is "current" (shown, never used). */
export async function contextState(ctx: ChapterContext): Promise<ContextState> {
  const list = await ctx.shell.run({ argv: ['kubectl', 'config', 'get-contexts', '--output=name'], timeoutMs: 15_000 });
  const known = list.exitCode === 0 ? list.stdout.split('\n').map((s) => s.trim()).filter(Boolean) : [];
  const cur = await ctx.shell.run({ argv: ['kubectl', 'config', 'current-context'], timeoutMs: 15_000 });
  const current = cur.exitCode === 0 ? cur.stdout.trim() || undefined : undefined;
  return { exists: known.includes(ctx.lab.context), current, known };
}

export function contextRefusal(ctx: ChapterContext, state: ContextState): string {
  const cur = state.current && state.current !== ctx.lab.context ? ` (your current context is "${state.current}"; the workbook never uses it unless --context names it)` : '';
  return `kube context "${ctx.lab.context}" does not exist${cur}`;
}

export const CONTEXT_HINT: Text = {
  en: 'Create the lab cluster first (`workbook run cluster`), or name the context you mean with --context.',
  'zh-TW': '請先建立實驗叢集（`workbook run cluster`），或以 --context 指定你要使用的 context。',
};

/** Before a step changes a cluster: refuse unless the lab's context exists. Checked once per run. */
export async function ensureContext(ctx: ChapterContext): Promise<void> {
  if (ctx.facts['__contextChecked'] === ctx.lab.context) return;
  const state = await contextState(ctx);
  if (!state.exists) throw new WorkbookError(contextRefusal(ctx, state), { hint: CONTEXT_HINT });
  Object.defineProperty(ctx.facts, '__contextChecked', { value: ctx.lab.context, enumerable: false, configurable: true, writable: true });
}

interface K8sList<T> {
  items: T[];
}
export interface Pod {
  metadata: { name: string; labels?: Record<string, string> };
  status?: { phase?: string; conditions?: { type: string; status: string }[]; containerStatuses?: { ready: boolean; restartCount: number }[] };
}

export function podReady(p: Pod): boolean {
  return p.status?.phase === 'Running' && !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** kubectl get -o json, as a probe: a failed command becomes a failed outcome with its stderr as evidence. */
export async function getJson<T>(ctx: ChapterContext, args: string[]): Promise<{ json?: T; fail?: Outcome }> {
  const { res, json } = await runJson<T>(ctx, kubectl(ctx.lab, ...args, '--output=json'));
  if (json) return { json };
  const evidence = res.exitCode === 0 ? `kubectl ${args.join(' ')}: output is not JSON` : `kubectl ${args.join(' ')}: ${lastLines(res.stderr || res.stdout) || `exit ${res.exitCode}`}`;
  return { fail: { ok: false, evidence, hint: CONTEXT_HINT } };
}

export async function listPods(ctx: ChapterContext, namespace: string, selector?: string): Promise<{ pods?: Pod[]; fail?: Outcome }> {
  const { json, fail } = await getJson<K8sList<Pod>>(ctx, ['get', 'pods', '--namespace', namespace, ...(selector ? ['--selector', selector] : [])]);
  return fail ? { fail } : { pods: json!.items };
}
