// What the instructor's board shows, from the reports attendees' workbooks sent (report@2 and exercise@1): one row
// per attendee (the chapter reached, the check that fails or is blocked now with its evidence and hint, hints used,
// exercises and challenges done with their times, stuck or not), a summary line, and the page itself. Rows are
// drawn from what the board folded of each attendee's reports, every value of which the schema bounded. The page
// puts every value into the DOM as text (textContent), never as markup: a name like <img onerror=…> stays inert.
import type { Lang, Text } from '../core/text.js';
import type { BoardHint, LearnerState } from '../core/board-report.js';

export interface LearnerRow {
  id: string;
  name: string;
  lastSeen: string;
  /** the highest chapter number that passed */
  chapterReached: number | null;
  /** the check that fails or is blocked in the latest report, if any */
  failing: { ref: string; status: string; evidence: string; hint?: BoardHint; since: string } | null;
  stuck: boolean;
  hintsUsed: number;
  exercises: { id: string; timeToSolveMs?: number }[];
  challenges: { id: string; timeToFixMs?: number; hintsUsed: number }[];
}

/** An attendee's row, from what the board folded of their reports (scripts/core/board-report.ts foldReport). */
export function rowOf(s: LearnerState, now: number, stuckMs: number): LearnerRow {
  const challenges = Object.entries(s.challenges);
  return {
    id: s.id,
    name: s.name,
    lastSeen: s.lastSeen,
    chapterReached: s.reached,
    failing: s.failing,
    stuck: !!s.failing && now - Date.parse(s.failing.since) > stuckMs,
    hintsUsed: challenges.reduce((n, [, c]) => n + (c.hintsUsed ?? 0), 0),
    exercises: Object.entries(s.exercises).filter(([, p]) => p.solvedAt).map(([id, p]) => ({ id, ...(p.timeToSolveMs !== undefined ? { timeToSolveMs: p.timeToSolveMs } : {}) })),
    challenges: challenges.filter(([, c]) => c.status === 'fixed').map(([id, c]) => ({ id, ...(c.timeToFixMs !== undefined ? { timeToFixMs: c.timeToFixMs } : {}), hintsUsed: c.hintsUsed ?? 0 })),
  };
}

/** For after the class: one line per attendee (RFC 4180 quoting; a leading = + - @ is quoted away from spreadsheets' formulas). */
export function toCsv(rows: LearnerRow[]): string {
  const q = (v: unknown) => {
    let s = String(v ?? '');
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const head = ['name', 'chapter_reached', 'failing_check', 'failing_evidence', 'stuck', 'hints_used', 'exercises_solved', 'challenges_fixed', 'last_seen'];
  const lines = rows.map((r) => [r.name, r.chapterReached ?? '', r.failing?.ref ?? '', r.failing?.evidence ?? '', r.stuck ? 'yes' : 'no', r.hintsUsed, r.exercises.map((e) => e.id).join(' '), r.challenges.map((c) => c.id).join(' '), r.lastSeen].map(q).join(','));
  return [head.join(','), ...lines].join('\r\n') + '\r\n';
}

const T = {
  title: { en: 'Workshop board', 'zh-TW': '工作坊看板' },
  name: { en: 'Attendee', 'zh-TW': '學員' },
  chapter: { en: 'Chapter reached', 'zh-TW': '進度（章）' },
  now: { en: 'Failing or blocked now', 'zh-TW': '目前失敗或受阻' },
  hints: { en: 'Hints', 'zh-TW': '提示' },
  done: { en: 'Exercises · challenges', 'zh-TW': '練習 · 挑戰' },
  seen: { en: 'Last report', 'zh-TW': '最後回報' },
  export: { en: 'Export CSV', 'zh-TW': '匯出 CSV' },
} satisfies Record<string, Text>;

/** The page: a shell with no data in it (the script fills it as text). */
export function boardPage(lang: Lang): string {
  const t = (k: keyof typeof T) => T[k][lang];
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>${t('title')}</title>
<style>
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}
tr.stuck{background:#fde2e1}tr.stuck td:first-child{font-weight:bold}.ok{color:#1a7f37}.bad{color:#b42318}.muted{color:#666;font-size:.9em}
</style></head>
<body><h1>${t('title')}</h1><p id="summary"></p>
<table><thead><tr><th>${t('name')}</th><th>${t('chapter')}</th><th>${t('now')}</th><th>${t('hints')}</th><th>${t('done')}</th><th>${t('seen')}</th></tr></thead><tbody id="rows"></tbody></table>
<p><a href="/export.csv">${t('export')}</a></p>
<script src="/board.js"></script></body></html>
`;
}

/** The page's script: rows by attendee id, redrawn from /api/learners and from each server-sent event. */
export function boardScript(lang: Lang, stuckMs: number): string {
  const L = {
    stuck: { en: `stuck (over ${Math.round(stuckMs / 60000)} min on the same check)`, 'zh-TW': `卡住了（同一項檢查超過 ${Math.round(stuckMs / 60000)} 分鐘）` }[lang],
    passedEach: { en: 'passed each chapter', 'zh-TW': '各章通過人數' }[lang],
    attendees: { en: 'attendees', 'zh-TW': '位學員' }[lang],
    none: { en: 'all checks pass', 'zh-TW': '所有檢查都通過' }[lang],
  };
  return `'use strict';
const lang = ${JSON.stringify(lang)};
const L = ${JSON.stringify(L)};
const rows = new Map();
const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = String(text); if (cls) e.className = cls; return e; };
const mins = (ms) => ms === undefined ? '' : ' ' + Math.round(ms / 60000) + ' min';
function draw() {
  const body = document.getElementById('rows');
  const list = [...rows.values()].sort((a, b) => (b.stuck - a.stuck) || a.name.localeCompare(b.name));
  body.replaceChildren(...list.map((r) => {
    const tr = el('tr', undefined, r.stuck ? 'stuck' : '');
    tr.dataset.learner = r.id;
    tr.append(el('td', r.name));
    tr.append(el('td', r.chapterReached === null ? '—' : r.chapterReached));
    const now = el('td');
    if (r.failing) {
      now.append(el('div', (r.stuck ? L.stuck.toUpperCase() + ' · ' : '') + r.failing.ref + ' (' + r.failing.status + ')', 'bad'));
      now.append(el('div', r.failing.evidence, 'muted'));
      if (r.failing.hint) now.append(el('div', r.failing.hint[lang] || r.failing.hint.en, 'muted'));
    } else now.append(el('span', L.none, 'ok'));
    tr.append(now);
    tr.append(el('td', r.hintsUsed));
    tr.append(el('td', [...r.exercises.map((e) => e.id + mins(e.timeToSolveMs)), ...r.challenges.map((c) => c.id + mins(c.timeToFixMs))].join(', ')));
    tr.append(el('td', new Date(r.lastSeen).toLocaleTimeString()));
    return tr;
  }));
  const counts = {};
  // a chapter number is two digits at most (the board's schema holds it so; the page does not trust that alone)
  for (const r of rows.values()) { const top = Number.isInteger(r.chapterReached) ? Math.min(99, r.chapterReached) : -1; for (let n = 0; n <= top; n++) counts[n] = (counts[n] || 0) + 1; }
  document.getElementById('summary').textContent = rows.size + ' ' + L.attendees + ' · ' + L.passedEach + ': ' + Object.keys(counts).map((n) => n + ': ' + counts[n]).join(', ');
}
// "stuck" grows with time, not only with reports: the rows are read again every 15 s
const load = () => fetch('/api/learners').then((r) => r.json()).then((j) => { for (const r of j.learners) rows.set(r.id, r); draw(); });
load();
setInterval(load, 15000);
const es = new EventSource('/events');
es.addEventListener('learner', (e) => { const r = JSON.parse(e.data); if (r) { rows.set(r.id, r); draw(); } });
`;
}

/** Everything the board server shows, in one language and with one "stuck" threshold (scripts/effects/board.ts BoardViews). */
export function boardViews(lang: Lang, stuckMs: number) {
  return {
    row: (state: LearnerState, now: number) => rowOf(state, now, stuckMs),
    page: () => boardPage(lang),
    script: () => boardScript(lang, stuckMs),
    csv: (rows: LearnerRow[]) => toCsv(rows),
  };
}
