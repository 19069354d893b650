import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { packageVersion } from './paths.js';
import type { Session } from './session.js';
import type { Chapter } from './model.js';
import { say } from './text.js';

export const REPORT_SCHEMA = 'tempo-workbook/report@1';

export function jsonReport(session: Session, chapters: readonly Chapter[]) {
  const lab = session.ctx.lab;
  const counts = { passed: 0, failed: 0, warned: 0, skipped: 0 };
  for (const i of session.items) counts[i.result.status]++;
  return {
    schema: REPORT_SCHEMA,
    tool: { name: 'tempo-workbook', version: packageVersion() },
    mode: session.mode,
    profile: lab.profile.name,
    context: lab.context,
    endpoints: lab.urls,
    passed: counts.failed === 0,
    durationMs: session.ctx.clock.now() - session.startedAt,
    summary: counts,
    chapters: chapters.map((ch) => {
      const items = session.items.filter((i) => i.chapter === ch);
      return {
        number: ch.number,
        id: ch.id,
        title: say(ch.title, lab.lang),
        passed: items.every((i) => i.result.status !== 'failed'),
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
        })),
      };
    }),
  };
}

const xml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

export function junitReport(session: Session, chapters: readonly Chapter[]): string {
  const lab = session.ctx.lab;
  const suites = chapters.map((ch) => {
    const items = session.items.filter((i) => i.chapter === ch);
    const failures = items.filter((i) => i.result.status === 'failed').length;
    const skipped = items.filter((i) => i.result.status === 'skipped').length;
    const time = items.reduce((t, i) => t + i.result.durationMs, 0) / 1000;
    const cases = items.map((i) => {
      const name = `${i.kind} ${i.id}: ${i.title}`;
      const head = `    <testcase classname="${xml(`${ch.number}-${ch.id}`)}" name="${xml(name)}" time="${(i.result.durationMs / 1000).toFixed(3)}"`;
      const out = `      <system-out>${xml(i.result.evidence)}</system-out>\n`;
      if (i.result.status === 'failed') {
        const hint = i.result.hint ? say(i.result.hint, lab.lang) : '';
        return `${head}>\n      <failure message="${xml(i.result.evidence)}">${xml([i.result.error ?? i.result.evidence, hint && `hint: ${hint}`].filter(Boolean).join('\n'))}</failure>\n${out}    </testcase>`;
      }
      if (i.result.status === 'skipped') return `${head}>\n      <skipped message="${xml(i.result.evidence)}"/>\n    </testcase>`;
      return `${head}>\n${out}    </testcase>`;
    });
    return `  <testsuite name="${xml(`${ch.number}. ${say(ch.title, lab.lang)}`)}" tests="${items.length}" failures="${failures}" skipped="${skipped}" time="${time.toFixed(3)}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="tempo-workbook">\n${suites.join('\n')}\n</testsuites>\n`;
}

async function writeAtomic(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

export async function writeReports(session: Session, chapters: readonly Chapter[], files: { json?: string; junit?: string }): Promise<void> {
  if (files.json) await writeAtomic(files.json, JSON.stringify(jsonReport(session, chapters), null, 2) + '\n');
  if (files.junit) await writeAtomic(files.junit, junitReport(session, chapters));
}
