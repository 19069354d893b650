import { setMaxListeners } from 'node:events';
import { lastLines, printable, showCommand } from './format.js';
import { manualOf, recording, type Made } from './manual.js';
import type { Chapter, LabContext, Check, ItemStatus, Lab, Outcome, Step } from './model.js';
import { say, type Text } from './text.js';
import type { ShellResult } from './effects.js';
import { CancelledError, DeclinedError, UsageError, WorkbookError, errorMessage } from './errors.js';

export interface ItemResult {
  status: ItemStatus;
  durationMs: number;
  evidence: string;
  hint?: Text;
  /** the exact command, for steps */
  command?: string;
  /** the real error text on failure */
  error?: string;
  /** a few lines (a table) shown under the result */
  details?: string;
  attempts?: number;
  /** the requests a check made, as commands a learner can paste (`--show-how`, the report's `manual`) */
  manual?: string[];
}

/** Asks the learner; the interactive implementation is clack, tests pass their own. */
export interface Confirm {
  (message: string): Promise<boolean>;
}

const GENERIC_HINT: Text = {
  en: 'Read the error above; run `workbook doctor` if a tool or the cluster seems missing.',
  'zh-TW': '請閱讀上方錯誤訊息；若工具或叢集似乎不存在，請執行 `workbook doctor`。',
};

const REFUSED_HINT: Text = {
  en: 'Nothing was changed. The workbook only undoes what it did itself.',
  'zh-TW': '沒有做任何變更。工作手冊只會復原它自己做過的事。',
};

/** A tool that could not be started at all: exit 127 from the shell, or a spawn error. */
export function toolMissing(res: ShellResult): boolean {
  return res.exitCode === 127 || /command not found|ENOENT/.test(res.stderr);
}

/** Every string of a result is printable: reporters and the terminal can take it as it is. */
function clean(r: ItemResult): ItemResult {
  return {
    ...r,
    evidence: printable(r.evidence),
    ...(r.error !== undefined ? { error: printable(r.error) } : {}),
    ...(r.details !== undefined ? { details: printable(r.details) } : {}),
    // a hint may quote what a server said
    ...(r.hint !== undefined ? { hint: { en: printable(r.hint.en), 'zh-TW': printable(r.hint['zh-TW']) } } : {}),
  };
}

export async function executeStep(
  step: Step,
  ctx: LabContext,
  options: { onLine?: (line: string) => void; confirm?: Confirm; signal?: AbortSignal } = {},
): Promise<ItemResult> {
  const onLine = options.onLine;
  return clean(await executeStepRaw(step, ctx, { ...options, ...(onLine ? { onLine: (l: string) => onLine(printable(l)) } : {}) }));
}

async function executeStepRaw(
  step: Step,
  ctx: LabContext,
  options: { onLine?: (line: string) => void; confirm?: Confirm; signal?: AbortSignal },
): Promise<ItemResult> {
  const started = ctx.clock.now();
  const cmd = step.command(ctx.lab);
  const command = showCommand(cmd);
  const took = () => ctx.clock.now() - started;

  // on the embedded lab, `lab up` made what a kind-lab step makes: it is shown as the kind lab's, not run
  if (ctx.lab.embedded && !step.forEmbedded) return { status: 'skipped', durationMs: 0, evidence: 'the embedded lab\'s `workbook lab up` made this state (the kind lab\'s step, shown, not run)', command };
  try {
    if (step.needsCluster) await ctx.requireCluster();
  } catch (err) {
    if (!(err instanceof WorkbookError)) throw err;
    return { status: 'failed', durationMs: took(), evidence: err.message, error: err.message, hint: err.hint ?? GENERIC_HINT, command };
  }
  const skipped = step.onlyIf && !step.onlyIf.when(ctx.lab) ? step.onlyIf.otherwise : await step.skipIf?.(ctx);
  if (skipped) return { status: 'skipped', durationMs: took(), evidence: skipped, command };
  const refusal = await step.refuse?.(ctx);
  if (refusal) return { status: 'failed', durationMs: took(), evidence: refusal, error: refusal, hint: REFUSED_HINT, command };

  if (step.destructive && !ctx.lab.yes) {
    if (!ctx.lab.interactive || !options.confirm) {
      throw new UsageError({ en: `"${command}" needs confirmation: run again with --yes`, 'zh-TW': `"${command}" 需要確認：請加上 --yes 再執行一次` });
    }
    if (!(await options.confirm(command))) throw new DeclinedError(`nothing was changed: you declined ${command}`);
  }

  const res = await ctx.shell.run(cmd, { onLine: options.onLine, signal: options.signal });
  // Ctrl-C or SIGTERM ended the command: it did not fail, it was stopped
  if (res.exitCode !== 0 && options.signal?.aborted) return { status: 'interrupted', durationMs: took(), evidence: 'interrupted (Ctrl-C): the command was stopped before it finished', command };
  if (res.exitCode !== 0 && toolMissing(res)) {
    // the doctor's install hint, not a generic one: the tool is simply not there
    const evidence = `${cmd.argv[0]} is not installed (not on PATH)`;
    return { status: 'failed', durationMs: took(), evidence, error: res.stderr || evidence, hint: ctx.installHint(cmd.argv[0]!), command };
  }
  if (res.exitCode !== 0) {
    const detail = lastLines(res.stderr || res.stdout) || `exit code ${res.exitCode}`;
    return {
      status: 'failed',
      durationMs: took(),
      evidence: `exit ${res.exitCode}: ${detail}`,
      error: res.stderr || res.stdout,
      hint: GENERIC_HINT,
      command,
    };
  }
  await step.after?.(ctx);
  return { status: 'passed', durationMs: took(), evidence: lastLines(res.stdout, 1) || 'done', command };
}

/** Poll schedule: quick at first (data often lands within a second), then every second until the deadline. */
export const POLL_DELAYS_MS = [250, 500, 1000] as const;

/** A request or command gets at least this long, even at the very end of a check's budget. */
export const MIN_REQUEST_MS = 250;

/** A new attempt starts only with at least this much of the budget left. */
export const MIN_ATTEMPT_MS = 1000;

/**
 * The check's view of the context: every request's and command's own timeout (5–30 s) is capped by what is left
 * of the check's budget, so --timeout is an upper bound for the whole check.
 */
export function withDeadline(ctx: LabContext, deadline: number): LabContext {
  const left = (own: number | undefined) => Math.max(MIN_REQUEST_MS, Math.min(own ?? Number.POSITIVE_INFINITY, deadline - ctx.clock.now()));
  return {
    ...ctx,
    http: { request: (url, init = {}) => ctx.http.request(url, { ...init, timeoutMs: left(init.timeoutMs ?? 10_000) }) },
    shell: { ...ctx.shell, run: (cmd, o) => ctx.shell.run({ ...cmd, timeoutMs: left(cmd.timeoutMs) }, o), which: (t) => ctx.shell.which(t) },
    endpoint: (name, o = {}) => ctx.endpoint(name, { readyTimeoutMs: left(o.readyTimeoutMs ?? 30_000) }),
  };
}

export async function probeUntil(
  check: Check,
  ctx: LabContext,
  options: { deadlineMs?: number; onAttempt?: (o: Outcome, attempt: number) => void; signal?: AbortSignal } = {},
): Promise<{ outcome: Outcome; attempts: number; manual: string[] }> {
  const budget = Math.min(options.deadlineMs ?? ctx.lab.timeoutMs, check.deadlineMs ?? Number.POSITIVE_INFINITY);
  const deadline = ctx.clock.now() + budget;
  const cctx = withDeadline(ctx, deadline);
  let attempts = 0;
  for (;;) {
    attempts++;
    let outcome: Outcome;
    // what this attempt asked, as commands a learner can paste (the last attempt's are the evidence's)
    const made: Made[] = [];
    const done = (o: Outcome) => ({ outcome: o, attempts, manual: manualOf(made) });
    try {
      // Ctrl-C or SIGTERM ends the attempt at once: a probe still waiting on its answer is left, its reading unknown
      outcome = await untilAborted(check.probe(recording(cctx, made)), options.signal, STOPPED);
    } catch (err) {
      if (err instanceof CancelledError) throw err;
      // a probe that throws names its cause through the error (unreachable endpoint, missing context or tool)
      outcome = err instanceof WorkbookError
        ? { ok: false, evidence: err.message, hint: err.hint ?? GENERIC_HINT, ...(err.final ? { final: true } : {}) }
        : { ok: false, evidence: errorMessage(err), hint: GENERIC_HINT };
    }
    options.onAttempt?.(outcome, attempts);
    if (outcome.ok || outcome.final || check.once || options.signal?.aborted) return done(outcome);
    const delay = POLL_DELAYS_MS[Math.min(attempts - 1, POLL_DELAYS_MS.length - 1)]!;
    // an attempt that would start with less than a full request's time left would be cut short and report the
    // cut (a timeout) instead of what the lab shows: the last real reading stands
    if (ctx.clock.now() + delay + MIN_ATTEMPT_MS > deadline) return done(outcome);
    await untilAborted(ctx.clock.sleep(delay), options.signal, undefined);
    if (options.signal?.aborted) return done(outcome);
  }
}

const STOPPED: Outcome = { ok: false, evidence: 'stopped before the lab answered', hint: GENERIC_HINT };

/** `p`, or `instead` as soon as the signal aborts (the listener is removed either way). */
async function untilAborted<T, U>(p: Promise<T>, signal: AbortSignal | undefined, instead: U): Promise<T | U> {
  if (!signal) return p;
  // a probe left behind may still fail: its rejection is nobody's (the race below sees it when it comes first)
  p.catch(() => {});
  // aborted already (the probe itself may have seen it): a reading that is ready this turn still counts
  if (signal.aborted) return Promise.race([p, new Promise<U>((resolve) => setImmediate(() => resolve(instead)))]);
  // every check running at once listens to the one signal: no "possible leak" warning for a dozen (each is removed)
  setMaxListeners(0, signal);
  let onAbort!: () => void;
  // a probe that finishes as the signal comes keeps its reading: the abort answers only a turn later
  const aborted = new Promise<U>((resolve) => (onAbort = () => setImmediate(() => resolve(instead))));
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.race([p, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/**
 * Why a check does not apply to this lab: it asks the cluster, and the learner named the component's URL; or the
 * lab is the embedded one, which has no cluster (and no Grafana, unless its URL is named).
 */
/** The Tempo generation of the lab's profile: 3 where its tempo-distributed runs Tempo 3.x. */
export const tempoGeneration = (lab: Pick<Lab, 'profile'>): 2 | 3 => (lab.profile.charts['tempo-distributed']?.appVersion?.startsWith('3.') ? 3 : 2);

export function notApplicable(check: Check, lab: Lab): Text | undefined {
  if (check.tempo && check.tempo !== tempoGeneration(lab)) {
    return check.tempo === 2
      ? { en: `Tempo 2's (profile ${lab.profile.name} runs Tempo 3, which has no ingesters: chapter 9 reads its live-stores)`, 'zh-TW': `這是 Tempo 2 的檢查（版本組合 ${lab.profile.name} 執行的是沒有 ingester 的 Tempo 3：第 9 章會讀它的 live-store）` }
      : { en: `Tempo 3's (profile ${lab.profile.name} runs Tempo 2: \`--profile current\` runs Tempo 3)`, 'zh-TW': `這是 Tempo 3 的檢查（版本組合 ${lab.profile.name} 執行的是 Tempo 2：\`--profile current\` 才是 Tempo 3）` };
  }
  if (lab.embedded) {
    if (check.clusterOnly) return { en: 'asks the cluster (kubectl): the embedded lab has none', 'zh-TW': '要詢問叢集（kubectl）：內建實驗環境沒有叢集' };
    if (check.kindLabOnly) return { en: 'a prerequisite of the kind lab: the embedded lab runs no container and needs none of it', 'zh-TW': '這是 kind 實驗環境的先決條件：內建實驗環境不執行容器，用不到它' };
    if (check.microservicesOnly && lab.embedded === 'monolithic') return { en: 'one Tempo process has one ingester: the ring of three is the microservices lab\'s (workbook lab up --microservices)', 'zh-TW': '單一 Tempo 程序只有一個 ingester：三個 ingester 的 ring 屬於微服務實驗環境（workbook lab up --microservices）' };
    const cluster = check.needs?.find((n) => n.check === 'cluster/context');
    if (cluster && !(cluster.unless ?? []).some((u) => lab.urls[u])) {
      const via = cluster.unless?.length ? ` or --${cluster.unless[0]}-url` : '';
      return via
        ? { en: `needs a Kubernetes cluster${via}: the embedded lab has neither`, 'zh-TW': `需要 Kubernetes 叢集或 --${cluster.unless![0]}-url：內建實驗環境兩者都沒有` }
        : { en: 'needs a Kubernetes cluster: the embedded lab has none', 'zh-TW': '需要 Kubernetes 叢集：內建實驗環境沒有叢集' };
    }
  }
  const named = (check.clusterOnly ?? []).filter((u) => lab.urls[u]);
  if (!named.length) return undefined;
  return { en: `asks the cluster (kubectl); not applicable because --${named[0]}-url names the endpoint directly`, 'zh-TW': `要詢問叢集（kubectl）；因為 --${named[0]}-url 直接指定了端點，所以不適用` };
}

export async function executeCheck(
  check: Check,
  ctx: LabContext,
  options: { deadlineMs?: number; onAttempt?: (o: Outcome, attempt: number) => void; signal?: AbortSignal } = {},
): Promise<ItemResult> {
  const onAttempt = options.onAttempt;
  return clean(await executeCheckRaw(check, ctx, { ...options, ...(onAttempt ? { onAttempt: (o: Outcome, n: number) => onAttempt({ ...o, evidence: printable(o.evidence) }, n) } : {}) }));
}

async function executeCheckRaw(
  check: Check,
  ctx: LabContext,
  options: { deadlineMs?: number; onAttempt?: (o: Outcome, attempt: number) => void; signal?: AbortSignal },
): Promise<ItemResult> {
  const started = ctx.clock.now();
  const na = notApplicable(check, ctx.lab);
  if (na) return { status: 'not-applicable', durationMs: 0, evidence: say(na, ctx.lab.lang) };
  const { outcome, attempts, manual: how } = await probeUntil(check, ctx, options);
  const durationMs = ctx.clock.now() - started;
  const details = { ...(outcome.details ? { details: outcome.details } : {}), ...(how.length ? { manual: how } : {}) };
  if (outcome.ok) return { status: 'passed', durationMs, evidence: outcome.evidence, attempts, ...details };
  // stopped by Ctrl-C while it probed: what it saw last is not a verdict
  if (options.signal?.aborted) return { status: 'interrupted', durationMs, evidence: `interrupted (Ctrl-C); last seen: ${outcome.evidence}`, attempts, ...(how.length ? { manual: how } : {}) };
  return {
    status: check.level === 'advisory' ? 'warned' : 'failed',
    durationMs,
    evidence: outcome.evidence,
    hint: outcome.hint,
    error: outcome.evidence,
    attempts,
    ...details,
  };
}

export type { Chapter };
