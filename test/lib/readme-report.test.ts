// The README's report table is the report's schema (issue: the learner's path, "README report example from the
// schema"): a real run's jsonReport parses with ReportSchema (strictly), and the README lists exactly the schema's
// fields, at the top, for a chapter and for an item. A field added to the report without the README fails here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Session } from '../../scripts/core/session.js';
import { runChapters } from '../../scripts/core/runner.js';
import { ProgressStore } from '../../scripts/effects/progress.js';
import type { Chapter } from '../../scripts/core/model.js';
import { REPORT_SCHEMA, ReportChapterSchema, ReportItemSchema, ReportSchema, jsonReport } from '../../scripts/ui/report.js';
import { testContext, testLab } from '../helpers/context.js';
import { ROOT } from '../helpers/fakes.js';

const t = (en: string) => ({ en, 'zh-TW': `第${en}項` });
const CHAPTERS: Chapter[] = [
  { number: 1, id: 'a', dir: '01-a', after: [], title: t('a'), steps: [], checks: [{ id: 'ok', title: t('ok'), probe: async () => ({ ok: true, evidence: 'fine', details: 'a table' }) }] },
  { number: 2, id: 'b', dir: '02-b', after: [], title: t('b'), steps: [], checks: [{ id: 'bad', title: t('bad'), probe: async () => ({ ok: false, final: true, evidence: 'broken', hint: t('fix') }) }] },
];

/** The README's report table: field name → meaning, as written. */
function readmeTable(): Map<string, string> {
  const md = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = md.indexOf('| field | meaning |');
  const rows = md.slice(start).split('\n').slice(2);
  const out = new Map<string, string>();
  for (const row of rows) {
    if (!row.startsWith('|')) break;
    const [, field, meaning] = row.split(/(?<!\\)\|/).map((c) => c.trim());
    for (const f of field!.split(',')) out.set(f.trim().replace(/`/g, '').replace(/\?$/, ''), meaning!);
  }
  return out;
}
/** The names in a README cell's `{ a, b?, c: … }`. */
const namesIn = (cell: string) => [...(/\{(.*)\}/.exec(cell.replace(/`/g, ''))?.[1] ?? '').trim().matchAll(/(?:^|,\s*)([a-zA-Z]+)(\[\])?\??/g)].map((m) => m[1]!);

describe('the README\'s report table is the report\'s schema', () => {
  it('a real run\'s report parses with the schema, strictly', async () => {
    const lab = testLab();
    const s = new Session(await testContext(lab), await ProgressStore.open(lab.stateDir), 'verify');
    await runChapters(CHAPTERS, s);
    const report = jsonReport(s, CHAPTERS, { challenges: {}, exercises: {} });
    const parsed = ReportSchema.strict().parse(report);
    expect(parsed.schema).toBe(REPORT_SCHEMA);
    for (const ch of parsed.chapters) {
      ReportChapterSchema.strict().parse(ch);
      for (const i of ch.items) ReportItemSchema.strict().parse(i);
    }
  });

  it('the top-level fields, a chapter\'s and an item\'s, exactly as the schema has them', () => {
    const table = readmeTable();
    const top = [...table.keys()].filter((k) => k !== 'chapters[].items[]');
    expect(top.map((k) => k.replace(/\[\]$/, '')).sort()).toEqual(Object.keys(ReportSchema.shape).sort());
    expect(namesIn(table.get('chapters[]')!).sort()).toEqual(Object.keys(ReportChapterSchema.shape).sort());
    expect(namesIn(table.get('chapters[].items[]')!).sort()).toEqual(Object.keys(ReportItemSchema.shape).sort());
    expect(table.get('schema')).toContain(REPORT_SCHEMA);
  });
});
