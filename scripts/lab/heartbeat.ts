import { formatDuration } from '../core/format.js';
import { listPods, podReady } from './kube.js';
import type { LabContext, Step } from '../core/model.js';

/** How often a long step says it is still running (plain and CI output: one line each time). */
export const HEARTBEAT_MS = 20_000;

/**
 * While a long step runs (helm --wait, kind create), a line every `everyMs`: elapsed time, the last line the
 * command printed and, for a step that installs into a namespace, how many of its pods are ready.
 */
export function startHeartbeat(step: Step, ctx: LabContext, o: { everyMs: number; emit(line: string): void }): { line(l: string): void; stop(): Promise<void> } {
  const started = ctx.clock.now();
  let last = '';
  // the pods query a beat runs is this heartbeat's child: stop() cancels it and waits for it, so nothing the step
  // started outlives the step
  const ac = new AbortController();
  const own: LabContext = { ...ctx, shell: { ...ctx.shell, run: (cmd, ro) => ctx.shell.run(cmd, { ...ro, signal: ac.signal }) } };
  let inflight: Promise<void> | undefined;
  const beat = async () => {
    const parts = [`still running, ${formatDuration(ctx.clock.now() - started)}`];
    const ns = step.progressNamespace?.(ctx.lab);
    if (ns) {
      const { pods } = await listPods(own, ns).catch(() => ({ pods: undefined }));
      if (ac.signal.aborted) return;
      if (pods) parts.push(`pods ready ${pods.filter(podReady).length}/${pods.length} in ${ns}`);
    }
    if (last) parts.push(`last output: ${last.slice(0, 120)}`);
    o.emit(`… ${parts.join('; ')}`);
  };
  const timer = setInterval(() => {
    if (inflight || ac.signal.aborted) return;
    inflight = beat().finally(() => (inflight = undefined));
  }, o.everyMs);
  timer.unref?.();
  return {
    line(l) {
      if (l.trim()) last = l.trim();
    },
    async stop() {
      clearInterval(timer);
      ac.abort();
      await inflight;
    },
  };
}
