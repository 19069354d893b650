import { formatDuration } from '../core/format.js';
import type { Chapter } from '../core/model.js';
import type { Session } from '../core/session.js';
import { say } from '../core/text.js';

/** The lines a learner reads last: time per chapter, then each failure with its hint. */
export function renderSummary(session: Session, chapters: readonly Chapter[]): string {
  const lang = session.ctx.lab.lang;
  const lines: string[] = [''];
  let total = 0;
  for (const ch of chapters) {
    const items = session.items.filter((i) => i.chapter === ch);
    if (!items.length) continue;
    const took = items.reduce((t, i) => t + i.result.durationMs, 0);
    total += took;
    const count = (s: string) => items.filter((i) => i.result.status === s).length;
    const [passed, failed, warned, skipped] = [count('passed'), count('failed'), count('warned'), count('skipped')];
    const mark = failed ? '✖' : skipped === items.length ? '↓' : warned ? '⚠' : '✔';
    const extra = [warned ? `${warned} ${say({ en: 'warned', 'zh-TW': '警告' }, lang)}` : '', skipped ? `${skipped} ${say({ en: 'skipped', 'zh-TW': '略過' }, lang)}` : ''].filter(Boolean);
    lines.push(`${mark} ${ch.number}. ${say(ch.title, lang)} — ${passed}/${items.length} ${say({ en: 'passed', 'zh-TW': '通過' }, lang)}${extra.length ? ` (${extra.join(', ')})` : ''}, ${formatDuration(took)}`);
  }
  lines.push(`${say({ en: 'Total', 'zh-TW': '總計' }, lang)}: ${formatDuration(total)}`);
  for (const i of session.items.filter((x) => x.result.details)) {
    lines.push('', `${i.title}:`, ...i.result.details!.split('\n').map((l) => `  ${l}`));
  }
  const problems = session.items.filter((i) => i.result.status === 'failed' || i.result.status === 'warned');
  if (problems.length) lines.push('');
  for (const i of problems) {
    const mark = i.result.status === 'failed' ? '✖' : '⚠';
    lines.push(`${mark} [${i.chapter.id}/${i.id}] ${i.result.evidence}`);
    if (i.result.command) lines.push(`  $ ${i.result.command}`);
    if (i.result.hint) lines.push(`  ${say({ en: 'hint', 'zh-TW': '提示' }, lang)}: ${say(i.result.hint, lang)}`);
  }
  return lines.join('\n') + '\n';
}
