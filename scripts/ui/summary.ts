import { formatDuration } from '../core/format.js';
import type { Chapter } from '../core/model.js';
import type { Session } from '../core/session.js';
import { punct, say } from '../core/text.js';
import { CHAPTER_MARK, MARK, STATUS_WORDS, holdsBack, otherCounts, verified } from '../core/verdict.js';

/** The lines a learner reads last: time per chapter, then each failure with its hint. */
export function renderSummary(session: Session, chapters: readonly Chapter[]): string {
  const lang = session.ctx.lab.lang;
  const lines: string[] = [''];
  for (const ch of chapters) {
    const items = session.itemsOf(ch);
    if (!items.length) continue;
    // wall time, from the chapter's start to its end: its checks run at once, so their durations do not add up
    const took = session.chapterWallMs(ch);
    const state = session.chapterState(ch);
    const verifiedCount = items.filter((i) => verified(i.result.status)).length;
    // every status that is not a plain pass, counted: "2 blocked, 1 not applicable"
    const extra = otherCounts(items.map((i) => i.result.status)).map(([s, n]) => `${n} ${say(STATUS_WORDS[s], lang)}`);
    const head = state === 'passed' ? '' : `${say(STATUS_WORDS[state], lang)}${punct(lang).colon}`;
    const p = punct(lang);
    const others = extra.length ? `${p.open}${extra.join(p.list)}${p.close}` : '';
    lines.push(`${CHAPTER_MARK[state]} ${ch.number}. ${say(ch.title, lang)} — ${head}${verifiedCount}/${items.length} ${say(STATUS_WORDS.passed, lang)}${others}${p.comma}${formatDuration(took)}`);
  }
  lines.push(`${say({ en: 'Total', 'zh-TW': '總計' }, lang)}: ${formatDuration(session.wallMs())}`);
  for (const i of session.items.filter((x) => x.result.details)) {
    lines.push('', `${i.title}:`, ...i.result.details!.split('\n').map((l) => `  ${l}`));
  }
  // --show-how: each check's requests, to paste (a port-forward's URL needs `workbook open <name>` running)
  if (session.ctx.lab.showHow) {
    const how = chapters.flatMap((ch) => session.itemsOf(ch)).filter((i) => i.kind === 'check' && i.result.manual?.length);
    if (how.length) lines.push('', say({ en: 'Check it yourself (the requests each check made):', 'zh-TW': '自己檢查看看（每項檢查發出的請求）：' }, lang));
    for (const i of how) lines.push(`  ${i.title}:`, ...i.result.manual!.map((c) => (c.startsWith('#') ? `    ${c}` : `    $ ${c}`)));
  }
  const problems = chapters.flatMap((ch) => session.itemsOf(ch)).filter((i) => holdsBack(i.result.status) || i.result.status === 'warned');
  if (problems.length) lines.push('');
  for (const i of problems) {
    lines.push(`${MARK[i.result.status]} [${i.chapter.id}/${i.id}] ${i.result.status === 'blocked' ? `${say(STATUS_WORDS.blocked, lang)}${punct(lang).colon}` : ''}${i.result.evidence}`);
    if (i.result.command) lines.push(`  $ ${i.result.command}`);
    if (i.result.hint) lines.push(`  ${say({ en: 'hint', 'zh-TW': '提示' }, lang)}${punct(lang).colon}${say(i.result.hint, lang)}`);
  }
  return lines.join('\n') + '\n';
}
