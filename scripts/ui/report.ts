import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { writeReport } from '../effects/files.js';
import { packageVersion } from '../core/paths.js';
import type { Session } from '../core/session.js';
import { z } from 'zod';
import { CHAPTER_STATES, ITEM_STATUSES, verified, type ItemStatus } from '../core/verdict.js';
import type { Chapter } from '../core/model.js';
import { say } from '../core/text.js';
import { printable } from '../core/format.js';

/** @2: item statuses blocked, not-applicable and interrupted (no more "skipped" checks); chapters carry `state`. */
export const REPORT_SCHEMA = 'tempo-workbook/report@2';

const TextSchema = z.object({ en: z.string(), 'zh-TW': z.string() });
/** An item of the report (README "Machine-readable reports" lists these fields; test/lib/readme-report.test.ts holds them to it). */
export const ReportItemSchema = z.object({
  kind: z.enum(['step', 'check']),
  id: z.string(),
  title: z.string(),
  status: z.enum(ITEM_STATUSES as [ItemStatus, ...ItemStatus[]]),
  durationMs: z.number(),
  evidence: z.string(),
  command: z.string().optional(),
  attempts: z.number().int().optional(),
  hint: TextSchema.optional(),
  error: z.string().optional(),
  details: z.string().optional(),
  manual: z.array(z.string()).optional(),
});
export const ReportChapterSchema = z.object({
  number: z.number().int(),
  id: z.string(),
  title: z.string(),
  state: z.enum(['not-run', ...CHAPTER_STATES] as [string, ...string[]]),
  passed: z.boolean(),
  items: z.array(ReportItemSchema),
});
/** The JSON report, report@2: what `--json` writes and the board reads. */
export const ReportSchema = z.object({
  schema: z.literal(REPORT_SCHEMA),
  tool: z.object({ name: z.string(), version: z.string() }),
  mode: z.enum(['run', 'verify']),
  profile: z.string(),
  context: z.string(),
  endpoints: z.record(z.string()),
  lab: z.enum(['kind', 'explicit', 'embedded-monolithic', 'embedded-microservices']),
  passed: z.boolean(),
  durationMs: z.number(),
  summary: z.record(z.number()),
  chapters: z.array(ReportChapterSchema),
  challenges: z.record(z.unknown()).optional(),
  exercises: z.record(z.unknown()).optional(),
  challenge: z.record(z.unknown()).optional(),
});
export type Report = z.infer<typeof ReportSchema>;

export function jsonReport(session: Session, chapters: readonly Chapter[], extra: Partial<Pick<Report, 'challenges' | 'exercises' | 'challenge'>> = {}): Report {
  const lab = session.ctx.lab;
  const counts = Object.fromEntries(ITEM_STATUSES.map((s) => [s, 0])) as Record<ItemStatus, number>;
  for (const i of session.items) counts[i.result.status]++;
  return {
    schema: REPORT_SCHEMA,
    tool: { name: 'tempo-workbook', version: packageVersion() },
    mode: session.mode,
    profile: lab.profile.name,
    context: lab.context,
    endpoints: lab.urls,
    // which lab the checks ran on: the kind cluster, URLs named by hand, or the embedded lab
    lab: lab.embedded ? `embedded-${lab.embedded}` : Object.keys(lab.urls).length ? 'explicit' : 'kind',
    passed: session.passed(chapters),
    durationMs: session.ctx.clock.now() - session.startedAt,
    summary: counts,
    chapters: chapters.map((ch) => {
      const items = session.itemsOf(ch);
      const state = items.length ? session.chapterState(ch) : 'not-run';
      return {
        number: ch.number,
        id: ch.id,
        title: say(ch.title, lab.lang),
        state,
        passed: state === 'passed',
        items: items.map((i) => ({
          kind: i.kind,
          id: i.id,
          title: i.title,
          status: i.result.status,
          durationMs: Math.round(i.result.durationMs),
          evidence: i.result.evidence,
          ...(i.result.command ? { command: i.result.command } : {}),
          ...(i.result.attempts ? { attempts: i.result.attempts } : {}),
          ...(i.result.hint ? { hint: i.result.hint } : {}),
          ...(i.result.error ? { error: i.result.error } : {}),
          ...(i.result.details ? { details: i.result.details } : {}),
          ...(i.result.manual ? { manual: i.result.manual } : {}),
        })),
      };
    }),
    ...extra,
  };
}

/**
 * Only what XML 1.0 allows (#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]): printable()
 * drops the C0/C1 controls; here lone surrogates and U+FFFE/U+FFFF go too, then the markup characters are escaped.
 */
export const xmlText = (s: string) => printable(s).replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|[\uFFFE\uFFFF]/g, '');
const xml = (s: string) => xmlText(s).replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

export function junitReport(session: Session, chapters: readonly Chapter[]): string {
  const lab = session.ctx.lab;
  const suites = chapters.map((ch) => {
    const items = session.itemsOf(ch);
    const failures = items.filter((i) => i.result.status === 'failed').length;
    const skipped = items.filter((i) => i.result.status !== 'failed' && !verified(i.result.status)).length;
    const time = items.reduce((t, i) => t + i.result.durationMs, 0) / 1000;
    const cases = items.map((i) => {
      const name = `${i.kind} ${i.id}: ${i.title}`;
      const head = `    <testcase classname="${xml(`${ch.number}-${ch.id}`)}" name="${xml(name)}" time="${(i.result.durationMs / 1000).toFixed(3)}"`;
      const out = `      <system-out>${xml(i.result.evidence)}</system-out>\n`;
      if (i.result.status === 'failed') {
        const hint = i.result.hint ? say(i.result.hint, lab.lang) : '';
        return `${head}>\n      <failure message="${xml(i.result.evidence)}">${xml([i.result.error ?? i.result.evidence, hint && `hint: ${hint}`].filter(Boolean).join('\n'))}</failure>\n${out}    </testcase>`;
      }
      // not verified: blocked, not applicable, interrupted, or a step already done; the message says which
      if (!verified(i.result.status)) return `${head}>\n      <skipped message="${xml(`${i.result.status}: ${i.result.evidence}`)}"/>\n    </testcase>`;
      return `${head}>\n${out}    </testcase>`;
    });
    return `  <testsuite name="${xml(`${ch.number}. ${say(ch.title, lab.lang)}`)}" tests="${items.length}" failures="${failures}" skipped="${skipped}" time="${time.toFixed(3)}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="tempo-workbook">\n${suites.join('\n')}\n</testsuites>\n`;
}

/**
 * Before anything runs: each report path must be writable, `-` (stdout) or a file (not a folder), and --json and
 * --junit must not name the same one. Bad paths are bad input (exit 2), found before a long run, not after it.
 */
export async function checkReportPaths(files: { json?: string; junit?: string }, cwd: string): Promise<void> {
  const { json, junit } = files;
  if (json && junit && (json === '-' ? junit === '-' : resolve(cwd, json) === resolve(cwd, junit))) {
    throw new UsageError(`cannot write reports: --json and --junit both name ${json}; give each its own file (or - for one of them)`);
  }
  for (const [flag, file] of [['--json', json], ['--junit', junit]] as const) {
    if (!file || file === '-') continue;
    const path = resolve(cwd, file);
    const bad = (why: string) => new UsageError(`cannot write report ${flag} ${file}: ${why}`);
    const st = await stat(path).catch(() => undefined);
    if (st?.isDirectory()) throw bad('it is a folder; name a file in it');
    // the nearest folder that exists must be a writable folder
    let dir = dirname(path);
    while (!(await stat(dir).catch(() => undefined)) && dirname(dir) !== dir) dir = dirname(dir);
    const d = await stat(dir).catch(() => undefined);
    if (!d?.isDirectory()) throw bad(`${dir} is not a folder`);
    await access(dir, constants.W_OK).catch((err: NodeJS.ErrnoException) => {
      throw bad(`${dir} is not writable (${err.code})`);
    });
  }
}

/** Write the reports: to files (whole, atomically), or to `out` for `-`. A write that fails is exit 2, no temp file left. */
/** `extra`: more top-level fields of the JSON report (the challenges: time to fix, hints used). */
export async function writeReports(session: Session, chapters: readonly Chapter[], files: { json?: string; junit?: string }, o: { cwd: string; out: NodeJS.WritableStream; extra?: Record<string, unknown> }): Promise<void> {
  const texts: [string, string | undefined, () => string][] = [
    ['--json', files.json, () => JSON.stringify(jsonReport(session, chapters, o.extra), null, 2) + '\n'],
    ['--junit', files.junit, () => junitReport(session, chapters)],
  ];
  for (const [flag, file, text] of texts) if (file) await writeReportTo(flag, file, text, o);
}

/** One report to its target: `-` is `out`; a file is written whole, atomically; a write that fails is one line, exit 2. */
export async function writeReportTo(flag: string, file: string, text: () => string, o: { cwd: string; out: NodeJS.WritableStream }): Promise<void> {
  if (file === '-') return void o.out.write(text());
  try {
    await writeReport(resolve(o.cwd, file), text());
  } catch (err) {
    throw new UsageError(`cannot write report ${flag} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
