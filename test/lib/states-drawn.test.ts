// Every chapter state drawn as itself, in the learner's language (issue: verdicts round three): a chapter that
// does not apply or is blocked is never drawn as a failure, in the terminal's summary, clack, JUnit or the JSON
// report; and under --lang zh-TW no English status word is printed. Listr is drawn by the real embedded-lab test
// (test/real/embedded-lab.test.ts); the board's grid by test/browser/board.test.ts.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Session } from '../../scripts/core/session.js';
import { runChapters } from '../../scripts/core/runner.js';
import { ProgressStore } from '../../scripts/effects/progress.js';
import type { Chapter, Check } from '../../scripts/core/model.js';
import type { Lang } from '../../scripts/core/text.js';
import { renderSummary } from '../../scripts/ui/summary.js';
import { jsonReport, junitReport } from '../../scripts/ui/report.js';
import { runWithClack } from '../../scripts/ui/ui-clack.js';
import { CHAPTER_STATES, STATUS_WORDS } from '../../scripts/core/verdict.js';
import { testContext, testLab } from '../helpers/context.js';

const t = (en: string) => ({ en, 'zh-TW': `第${en}項` });
const chapter = (number: number, id: string, checks: Check[]): Chapter => ({ number, id, dir: `0${number}-${id}`, after: [], title: t(id), steps: [], checks });
const ok = (id: string): Check => ({ id, title: t(id), probe: async () => ({ ok: true, evidence: '3/3' }) });
const bad = (id: string): Check => ({ id, title: t(id), probe: async () => ({ ok: false, final: true, evidence: '0/3', hint: t('fix') }) });

/** One chapter in each state but interrupted: passed, failed, blocked (it needs the failed one), not applicable (it asks the cluster, on the embedded lab). */
const CHAPTERS = [
  chapter(1, 'good', [ok('a')]),
  chapter(2, 'broken', [bad('b')]),
  chapter(3, 'held', [{ ...ok('c'), needs: [{ check: 'broken/b' }] }]),
  chapter(4, 'elsewhere', [{ ...ok('d'), clusterOnly: ['tempo'] }]),
];

async function session(lang: Lang) {
  const lab = testLab({ lang, embedded: 'monolithic' });
  const ctx = await testContext(lab);
  return new Session(ctx, await ProgressStore.open(lab.stateDir), 'verify');
}

/** The lines of a drawing that speak of chapter n (its number, its title or its one check's id). */
const about = (text: string, n: number) => text.split('\n').filter((l) => l.includes(`${n}.`) || l.includes(CHAPTERS[n - 1]!.checks[0]!.id === 'c' ? 'held' : CHAPTERS[n - 1]!.id));
/** The English status words a zh-TW drawing must not hold. */
const ENGLISH = /\b(passed|failed|FAILED|blocked|not applicable|skipped|SKIPPED|interrupted|hint|Total)\b/;

describe('each chapter state drawn as itself', () => {
  it('the run gives the four states, and every view draws blocked and not-applicable without a failure mark or word', async () => {
    const s = await session('en');
    expect(await runChapters(CHAPTERS, s)).toBe('failed');
    expect(CHAPTERS.map((c) => s.chapterState(c))).toEqual(['passed', 'failed', 'blocked', 'not-applicable']);

    const summary = renderSummary(s, CHAPTERS);
    expect(summary).toMatch(/^✖ 2\. broken — failed: /m);
    expect(summary).toMatch(/^⊘ 3\. held — blocked: /m);
    expect(summary).toMatch(/^– 4\. elsewhere — not applicable: /m);
    for (const n of [3, 4]) for (const l of about(summary, n)) expect(l).not.toMatch(/✖|FAILED|\bfailed\b(?!: 0\/3)/);

    const junit = junitReport(s, CHAPTERS);
    const suite = (n: number) => junit.slice(junit.indexOf(`name="${n}. `), junit.indexOf('</testsuite>', junit.indexOf(`name="${n}. `)));
    expect(suite(2)).toContain('<failure ');
    for (const n of [3, 4]) {
      expect(suite(n)).not.toContain('<failure');
      expect(suite(n)).toMatch(/failures="0" skipped="1"/);
    }
    expect(suite(3)).toContain('<skipped message="blocked: needs broken/b (chapter 2), which failed: 0/3"/>');
    expect(suite(4)).toContain('<skipped message="not-applicable: asks the cluster (kubectl): the embedded lab has none"/>');

    const json = jsonReport(s, CHAPTERS) as { chapters: { id: string; state: string; passed: boolean }[] };
    expect(json.chapters.map((c) => [c.id, c.state, c.passed])).toEqual([
      ['good', 'passed', true],
      ['broken', 'failed', false],
      ['held', 'blocked', false],
      ['elsewhere', 'not-applicable', false],
    ]);
  });

  it('clack draws each chapter\'s end with its own mark and word', async () => {
    const s = await session('en');
    const output = new PassThrough();
    let drawn = '';
    output.on('data', (b) => (drawn += String(b)));
    await runWithClack(CHAPTERS, s, { output: output as never, input: new PassThrough() as never });
    const plain = drawn.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    expect(plain).toMatch(/✖ 2\. broken — failed/);
    expect(plain).toMatch(/⊘ 3\. held — blocked/);
    expect(plain).toMatch(/– 4\. elsewhere — not applicable/);
    expect(plain).not.toMatch(/✖ [34]\./);
    expect(plain).toMatch(/⊘ c — blocked: needs broken\/b/);
    expect(plain).toMatch(/– d — not applicable: asks the cluster/);
  });

  it('zh-TW: the summary, clack and the reports\' words carry no English status word', async () => {
    const s = await session('zh-TW');
    await runChapters(CHAPTERS, s);
    const summary = renderSummary(s, CHAPTERS);
    expect(summary, summary).not.toMatch(ENGLISH);
    // each state's own word is there
    for (const state of CHAPTER_STATES.filter((x) => x !== 'interrupted' && x !== 'passed')) expect(summary).toContain(STATUS_WORDS[state]['zh-TW']);
    expect(summary).toContain('需要 broken/b（第 2 章），而它失敗了：0/3');
    expect(summary).toContain('– 4. 第elsewhere項 — 不適用：0/1 通過（1 不適用）');

    const c = await session('zh-TW');
    const output = new PassThrough();
    let drawn = '';
    output.on('data', (b) => (drawn += String(b)));
    await runWithClack(CHAPTERS, c, { output: output as never, input: new PassThrough() as never });
    const plain = drawn.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    expect(plain, plain).not.toMatch(ENGLISH);
    expect(plain).toContain('– 第d項 — 不適用：要詢問叢集（kubectl）：內建實驗環境沒有叢集');
  });
});
