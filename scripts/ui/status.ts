// The progress table (`workbook status`, the menu) and where `run` continues.
import { CATALOG } from '../core/catalog.js';
import { formatDuration } from '../core/format.js';
import type { Chapter, Lab } from '../core/model.js';
import { notApplicable } from '../core/engine.js';
import type { ChallengeProgress, ProgressData } from '../effects/progress.js';
import { say, type Lang } from '../core/text.js';
import { STATUS_WORDS, verified } from '../core/verdict.js';

/**
 * The first chapter (teardown aside) that applies to the lab in use and has not passed (or been found not to apply):
 * where `run` and the menu's Continue go. On the embedded lab a chapter none of whose checks applies (the doctor's,
 * the cluster's, Grafana's without its URL) is passed over.
 */
export function nextChapter(data: ProgressData, lab?: Lab, after?: Chapter): Chapter | undefined {
  const applies = (c: Chapter) => !lab || c.checks.some((check) => !notApplicable(check, lab));
  // after a chapter (Continue at its end): only the ones that follow it
  return CATALOG.find((c) => (!after || c.number > after.number) && c.role !== 'teardown' && applies(c) && data.chapters[c.id]?.status !== 'passed' && data.chapters[c.id]?.status !== 'not-applicable');
}

const CHALLENGE = {
  broken: { en: 'broken (under way)', 'zh-TW': '故障中（進行中）' },
  fixed: { en: 'fixed in', 'zh-TW': '已修復，耗時' },
  reset: { en: 'reset', 'zh-TW': '已還原' },
} as const;

/** How a challenge stands, in one line: `status` and `challenge list` both show it. */
export function challengeState(c: ChallengeProgress | undefined, lang: Lang): string {
  if (!c) return say({ en: 'not started', 'zh-TW': '尚未開始' }, lang);
  const fixed = c.status === 'fixed' && c.timeToFixMs !== undefined ? ` ${formatDuration(c.timeToFixMs)}` : '';
  return `${say(CHALLENGE[c.status], lang)}${fixed}, ${say({ en: `${c.hintsUsed} hint(s)`, 'zh-TW': `${c.hintsUsed} 個提示` }, lang)}`;
}

const L = {
  head: { en: 'Progress', 'zh-TW': '進度' },
  none: { en: 'not started', 'zh-TW': '尚未開始' },
  next: { en: 'Next', 'zh-TW': '下一步' },
  done: { en: 'Every chapter passed. `workbook down` removes the lab when you are finished.', 'zh-TW': '所有章節都已通過。完成後可用 `workbook down` 移除實驗環境。' },
} as const;

export function renderStatus(data: ProgressData, file: string, lang: Lang, lab?: Lab): string {
  const rows = CATALOG.map((c) => {
    const p = data.chapters[c.id];
    const name = `${c.number} ${c.id}`.padEnd(22);
    if (!p) return `  ${name} ${say(L.none, lang)}`;
    const items = [...Object.values(p.steps), ...Object.values(p.checks)];
    const took = p.durationMs !== undefined ? formatDuration(p.durationMs) : '';
    // verified of all: a blocked or not applicable check is not counted as passed
    const counts = `${items.filter((i) => verified(i.status)).length}/${items.length}`;
    return `  ${name} ${say(STATUS_WORDS[p.status], lang).padEnd(14)} ${counts.padEnd(7)} ${took.padEnd(10)} ${p.mode} ${p.finishedAt ?? p.startedAt}`;
  });
  const next = nextChapter(data, lab);
  const tail = next ? `${say(L.next, lang)}: ${next.number} ${say(next.title, lang)} → workbook run ${next.id}` : say(L.done, lang);
  // challenges started: how each stands, time to fix and hints used
  const challenges = Object.entries(data.challenges ?? {}).map(([id, c]) => `  ${id.padEnd(28)} ${challengeState(c, lang)}`);
  const practice = challenges.length ? ['', say({ en: 'Challenges', 'zh-TW': '挑戰' }, lang), ...challenges] : [];
  return [`${say(L.head, lang)} (${file})`, ...rows, ...practice, '', tail, ''].join('\n');
}

