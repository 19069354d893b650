import { WorkbookError } from '../core/errors.js';
import { lastLines } from '../core/format.js';
import type { LabContext, Outcome } from '../core/model.js';
import { fill, type Text } from '../core/text.js';
import { CONTEXT_HINT, kubectl, kubectlCause, runJson } from './tools.js';

export interface ContextState {
  exists: boolean;
  current?: string;
  known: string[];
}

/** Which kube contexts exist, and which is "current" (shown, never used). */
export async function contextState(ctx: LabContext): Promise<ContextState> {
  const list = await ctx.shell.run({ argv: ['kubectl', 'config', 'get-contexts', '--output=name'], timeoutMs: 15_000 });
  const cause = list.exitCode === 0 ? undefined : kubectlCause(ctx.lab, list);
  if (cause) throw new WorkbookError(cause.why, { hint: cause.hint, final: true });
  const known = list.exitCode === 0 ? list.stdout.split('\n').map((s) => s.trim()).filter(Boolean) : [];
  const cur = await ctx.shell.run({ argv: ['kubectl', 'config', 'current-context'], timeoutMs: 15_000 });
  const current = cur.exitCode === 0 ? cur.stdout.trim() || undefined : undefined;
  return { exists: known.includes(ctx.lab.context), current, known };
}

export function contextRefusal(ctx: LabContext, state: ContextState): string {
  const cur = state.current && state.current !== ctx.lab.context ? ` (your current context is "${state.current}"; the workbook never uses it unless --context names it)` : '';
  return `kube context "${ctx.lab.context}" does not exist${cur}`;
}

export { CONTEXT_HINT };

const checked = new WeakMap<object, { context: string; answer: Promise<void> }>();

/**
 * Before a step changes a cluster, and before a port-forward: refuse unless the lab's context exists. Asked once
 * per run (the answer, a failure too, is kept for the run): a missing context cannot appear by waiting.
 */
export async function ensureContext(ctx: LabContext): Promise<void> {
  const seen = checked.get(ctx.facts);
  // checks that run at once share one question to kubectl
  if (seen?.context === ctx.lab.context) return seen.answer;
  const answer = (async () => {
    try {
      const state = await contextState(ctx);
      if (!state.exists) throw new WorkbookError(contextRefusal(ctx, state), { hint: CONTEXT_HINT, final: true });
    } catch (err) {
      // anything but a WorkbookError (a bug) is not remembered: the next caller asks again
      if (!(err instanceof WorkbookError)) checked.delete(ctx.facts);
      throw err;
    }
  })();
  answer.catch(() => {});
  checked.set(ctx.facts, { context: ctx.lab.context, answer });
  return answer;
}

const KUBECTL_HINT: Text = {
  en: 'kubectl could not answer (the output above says why). `kubectl --context {context} get pods -A` shows whether the cluster responds.',
  'zh-TW': 'kubectl 無法取得結果（上方輸出有說明原因）。`kubectl --context {context} get pods -A` 可確認叢集是否有回應。',
};

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
export async function getJson<T>(ctx: LabContext, args: string[]): Promise<{ json?: T; fail?: Outcome }> {
  const { res, json } = await runJson<T>(ctx, kubectl(ctx.lab, ...args, '--output=json'));
  if (json) return { json };
  const evidence = res.exitCode === 0 ? `kubectl ${args.join(' ')}: output is not JSON` : `kubectl ${args.join(' ')}: ${lastLines(res.stderr || res.stdout) || `exit ${res.exitCode}`}`;
  const cause = res.exitCode === 0 ? undefined : kubectlCause(ctx.lab, res);
  if (cause) return { fail: { ok: false, final: true, evidence: `kubectl ${args.join(' ')}: ${cause.why}`, hint: cause.hint } };
  return { fail: { ok: false, evidence, hint: fill(KUBECTL_HINT, { context: ctx.lab.context }) } };
}

export async function listPods(ctx: LabContext, namespace: string, selector?: string): Promise<{ pods?: Pod[]; fail?: Outcome }> {
  const { json, fail } = await getJson<K8sList<Pod>>(ctx, ['get', 'pods', '--namespace', namespace, ...(selector ? ['--selector', selector] : [])]);
  return fail ? { fail } : { pods: json!.items };
}
