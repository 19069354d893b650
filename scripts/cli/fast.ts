/**
 * `run all --fast`: the same steps and checks, with independent work overlapped. Image pulls run while the
 * cluster starts; the Prometheus and Tempo installs run together. The plan is pure data: `plan all --fast`
 * prints it with its critical path, and `run all --fast` executes it as a dependency graph.
 */
import { holdsBack, verified } from '../core/verdict.js';
import { CATALOG } from '../core/catalog.js';
import type { Chapter, Check, Lab, Step } from '../core/model.js';
import { formatCommand } from '../core/format.js';

export type JobWork =
  | { kind: 'steps'; chapter: string; steps: string[] }
  | { kind: 'checks'; chapter: string }
  | { kind: 'pull' }
  | { kind: 'load' };

export interface Job {
  id: string;
  deps: string[];
  work: JobWork;
  /** a typical duration on a laptop with a workshop network, for the critical path */
  estimateMs: number;
}

const MIN = 60_000;
const TYPICAL_MS = 10_000;
/** Pulling every image over workshop Wi-Fi, and loading them into the cluster: the work of `workbook prefetch`. */
const PULL_MS = 6 * MIN;
const LOAD_MS = 1.5 * MIN;

/**
 * The --fast plan, derived from the chapters' own declarations (scripts/core/model.ts): each chapter's `after`, its
 * steps' `fast` ('prepare': only needs this machine; 'images': waits for the images in the cluster), and the
 * typical durations beside them. Jobs, per chapter: `<id>:prepare`, `<id>:steps`, `<id>:checks`; and `pull`
 * (after the first chapter's checks, the doctor) and `load` (after the pulls and the `cluster` chapter's checks).
 */
export function fastPlan(catalog: readonly Chapter[]): Job[] {
  const chapters = catalog.filter((c) => c.role !== 'teardown');
  const jobs: Job[] = [];
  const root = chapters[0]!;
  const rootJob = `${root.id}:checks`;
  // what "chapter X is done" means for the chapters after it: its checks, else its last job of steps
  const doneJob = (id: string): string | undefined => {
    const c = chapters.find((x) => x.id === id)!;
    if (c.checks.length) return `${c.id}:checks`;
    if (c.steps.some((s) => s.fast !== 'prepare')) return `${c.id}:steps`;
    return c.steps.length ? `${c.id}:prepare` : undefined;
  };
  const clusterChapter = chapters.find((c) => c.role === 'cluster');
  for (const ch of chapters) {
    const waits = ch.after.map(doneJob).filter((j): j is string => !!j);
    const prepare = ch.steps.filter((s) => s.fast === 'prepare');
    const rest = ch.steps.filter((s) => s.fast !== 'prepare');
    const sum = (steps: Step[]) => steps.reduce((n, s) => n + (s.typicalMs ?? TYPICAL_MS), 0);
    if (prepare.length) jobs.push({ id: `${ch.id}:prepare`, deps: ch === root ? [] : [rootJob], work: { kind: 'steps', chapter: ch.id, steps: prepare.map((s) => s.id) }, estimateMs: sum(prepare) });
    if (rest.length) {
      const deps = [...waits, ...(prepare.length ? [`${ch.id}:prepare`] : []), ...(rest.some((s) => s.fast === 'images') ? ['load'] : [])];
      jobs.push({ id: `${ch.id}:steps`, deps, work: { kind: 'steps', chapter: ch.id, steps: rest.map((s) => s.id) }, estimateMs: sum(rest) });
    }
    if (ch.checks.length) jobs.push({ id: `${ch.id}:checks`, deps: rest.length ? [`${ch.id}:steps`] : waits, work: { kind: 'checks', chapter: ch.id }, estimateMs: ch.checksTypicalMs ?? TYPICAL_MS });
  }
  jobs.push({ id: 'pull', deps: [rootJob], work: { kind: 'pull' }, estimateMs: PULL_MS });
  jobs.push({ id: 'load', deps: [...(clusterChapter ? [doneJob(clusterChapter.id)!] : []), 'pull'], work: { kind: 'load' }, estimateMs: LOAD_MS });
  return jobs;
}

export const FAST_PLAN: Job[] = fastPlan(CATALOG);

export function chapterOf(id: string): Chapter {
  const c = CATALOG.find((x) => x.id === id);
  if (!c) throw new Error(`fast plan names unknown chapter ${id}`);
  return c;
}

export function stepsOf(work: Extract<JobWork, { kind: 'steps' }>): Step[] {
  const ch = chapterOf(work.chapter);
  return work.steps.map((id) => {
    const s = ch.steps.find((x) => x.id === id);
    if (!s) throw new Error(`fast plan names unknown step ${work.chapter}/${id}`);
    return s;
  });
}

export function checksOf(work: Extract<JobWork, { kind: 'checks' }>): Check[] {
  return chapterOf(work.chapter).checks;
}

/** Longest chain of estimated durations, and the plain sum: what --fast saves. */
export function criticalPath(plan: Job[], durations: Record<string, number> = {}): { totalMs: number; sequentialMs: number; path: string[] } {
  const ms = (j: Job) => durations[j.id] ?? j.estimateMs;
  const finish = new Map<string, { at: number; via: string[] }>();
  const byId = new Map(plan.map((j) => [j.id, j]));
  const visit = (j: Job): { at: number; via: string[] } => {
    const hit = finish.get(j.id);
    if (hit) return hit;
    const before = j.deps.map((d) => visit(byId.get(d)!)).sort((a, b) => b.at - a.at)[0] ?? { at: 0, via: [] };
    const r = { at: before.at + ms(j), via: [...before.via, j.id] };
    finish.set(j.id, r);
    return r;
  };
  const ends = plan.map(visit).sort((a, b) => b.at - a.at);
  return { totalMs: ends[0]!.at, sequentialMs: plan.reduce((n, j) => n + ms(j), 0), path: ends[0]!.via };
}

/** Every step of chapters 1–4 appears exactly once in the plan, every check chapter 0–7 too. */
export function planCoverage(plan: Job[]): { missingSteps: string[]; missingChecks: string[] } {
  const steps = new Set(plan.flatMap((j) => (j.work.kind === 'steps' ? j.work.steps.map((s) => `${(j.work as { chapter: string }).chapter}/${s}`) : [])));
  const checks = new Set(plan.flatMap((j) => (j.work.kind === 'checks' ? [j.work.chapter] : [])));
  const all = CATALOG.filter((c) => c.role !== 'teardown');
  return {
    missingSteps: all.flatMap((c) => c.steps.map((s) => `${c.id}/${s.id}`)).filter((s) => !steps.has(s)),
    missingChecks: all.filter((c) => c.checks.length && !checks.has(c.id)).map((c) => c.id),
  };
}

export function describeJob(job: Job, lab: Lab): string {
  switch (job.work.kind) {
    case 'steps':
      // a step this profile does not need (the Kafka broker on Tempo 2) is not shown: run skips it, saying why
      return stepsOf(job.work).filter((s) => !s.onlyIf || s.onlyIf.when(lab)).map((s) => `$ ${formatCommand(s.command(lab).argv)}`).join(' && ');
    case 'checks':
      return `checks of chapter ${chapterOf(job.work.chapter).number} (${job.work.chapter})`;
    case 'pull':
      return `$ docker pull … (${Object.keys(lab.profile.images).length} images, 3 at a time, missing ones only)`;
    case 'load':
      return `$ kind load docker-image --name ${lab.clusterName} …`;
  }
}

import type { LabContext } from '../core/model.js';
import type { Session } from '../core/session.js';
import { runChecks, runSteps } from '../core/runner.js';
import type { ItemResult } from '../core/engine.js';
import { formatDuration, lastLines } from '../core/format.js';
import { inspectCommand, loadCommand, NODE_IMAGE_KEY, pullCommand } from '../lab/images.js';

export interface FastEvent {
  type: 'start' | 'end';
  job: string;
  atMs: number;
  ok?: boolean;
  note?: string;
  tookMs?: number;
}

/** Run the plan as a dependency graph; a failed job skips everything that depends on it. */
export async function runFast(plan: Job[], session: Session, o: { log: (e: FastEvent) => void; signal?: AbortSignal }): Promise<{ wallMs: number; jobMs: Record<string, number>; failed: string[]; skipped: string[] }> {
  const ctx = session.ctx;
  const t0 = ctx.clock.now();
  const jobMs: Record<string, number> = {};
  const failed: string[] = [];
  const skipped: string[] = [];
  const remainingPerChapter = new Map<string, number>();
  for (const j of plan) if (j.work.kind === 'steps' || j.work.kind === 'checks') remainingPerChapter.set(j.work.chapter, (remainingPerChapter.get(j.work.chapter) ?? 0) + 1);
  const begun = new Set<string>();
  const local = new Set<string>(); // images available locally, for kind load

  const work = async (job: Job): Promise<{ ok: boolean; note?: string }> => {
    const w = job.work;
    if (w.kind === 'steps' || w.kind === 'checks') {
      const ch = chapterOf(w.chapter);
      begun.add(ch.id);
      let ok = true;
      let note: string | undefined;
      if (w.kind === 'steps') {
        let failedStep: ItemResult | undefined;
        ok = (await runSteps(session, ch, stepsOf(w), { step: () => ({ done: (r) => { if (r?.status === 'failed') failedStep = r; } }) })) === 'ok';
        if (failedStep) note = `${failedStep.command}: ${failedStep.evidence}`;
      } else {
        // a chapter's checks run at once, each after the checks it needs
        const checks = checksOf(w);
        const results = await runChecks(session, ch, checks);
        const bad = results.filter((r) => holdsBack(r.status));
        // a job none of whose checks applies here (Tempo 3's chapter on the article's profile) holds nothing back
        const none = results.length === checks.length && results.every((r) => r.status === 'not-applicable');
        ok = bad.length === 0 && results.length === checks.length && (none || results.some((r) => verified(r.status)));
        note = none ? `${results.length} checks not applicable here` : ok ? `${results.filter((r) => verified(r.status)).length} checks passed` : `${bad.length} of ${results.length} checks failed or blocked`;
      }
      const left = (remainingPerChapter.get(ch.id) ?? 1) - 1;
      remainingPerChapter.set(ch.id, left);
      if (left === 0 && session.begun(ch)) await session.endChapter(ch);
      return { ok, note };
    }
    if (w.kind === 'pull') {
      const refs = Object.values(ctx.lab.profile.images);
      const queue = [...refs];
      const problems: string[] = [];
      let pulled = 0;
      const worker = async () => {
        for (let ref = queue.shift(); ref; ref = queue.shift()) {
          if ((await ctx.shell.run(inspectCommand(ref))).exitCode === 0) {
            local.add(ref);
            continue;
          }
          const r = await ctx.shell.run(pullCommand(ref), { signal: o.signal });
          if (r.exitCode === 0) {
            local.add(ref);
            pulled++;
          } else problems.push(`${ref}: ${lastLines(r.stderr || r.stdout, 1)}`);
        }
      };
      await Promise.all([worker(), worker(), worker()]);
      // a failed pull is not fatal: the cluster pulls for itself, only slower
      return { ok: true, note: `${pulled} pulled, ${refs.length - pulled - problems.length} present${problems.length ? `; not pulled: ${problems.join('; ')}` : ''}` };
    }
    const images = Object.entries(ctx.lab.profile.images).filter(([k, ref]) => k !== NODE_IMAGE_KEY && local.has(ref)).map(([, ref]) => ref);
    if (!images.length) return { ok: true, note: 'nothing to load' };
    const r = await ctx.shell.run(loadCommand(ctx.lab, images), { signal: o.signal });
    return { ok: true, note: r.exitCode === 0 ? `${images.length} images loaded` : `kind load failed (the cluster will pull instead): ${lastLines(r.stderr || r.stdout, 1)}` };
  };

  const done = new Map<string, Promise<boolean>>();
  const byId = new Map(plan.map((j) => [j.id, j]));
  const start = (job: Job): Promise<boolean> => {
    const hit = done.get(job.id);
    if (hit) return hit;
    const p = (async () => {
      const deps = await Promise.all(job.deps.map((d) => start(byId.get(d)!)));
      if (deps.some((ok) => !ok) || o.signal?.aborted) {
        skipped.push(job.id);
        return false;
      }
      const began = ctx.clock.now();
      o.log({ type: 'start', job: job.id, atMs: began - t0 });
      let r: { ok: boolean; note?: string };
      try {
        r = await work(job);
      } catch (err) {
        r = { ok: false, note: (err as Error).message };
        if ((err as Error).name === 'UsageError' || (err as Error).name === 'CancelledError') throw err;
      }
      jobMs[job.id] = ctx.clock.now() - began;
      if (!r.ok) failed.push(job.id);
      o.log({ type: 'end', job: job.id, atMs: ctx.clock.now() - t0, ok: r.ok, note: r.note, tookMs: jobMs[job.id] });
      return r.ok;
    })();
    done.set(job.id, p);
    return p;
  };
  await Promise.all(plan.map(start));
  // chapters whose jobs were skipped are closed as failed
  for (const id of begun) if (session.begun(chapterOf(id))) await session.endChapter(chapterOf(id));
  return { wallMs: ctx.clock.now() - t0, jobMs, failed, skipped };
}

export function renderFastEvent(e: FastEvent): string {
  const at = `[${formatDuration(e.atMs).padStart(8)}]`;
  if (e.type === 'start') return `${at} ▶ ${e.job}`;
  return `${at} ${e.ok ? '✔' : '✖'} ${e.job} (${formatDuration(e.tookMs ?? 0)})${e.note ? ` — ${e.note}` : ''}`;
}

export type { LabContext };
