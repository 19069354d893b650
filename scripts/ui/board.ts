// What the instructor's board shows, from the reports attendees' workbooks sent (report@2 and exercise@1): one row
// per attendee (the chapter reached, the check that fails or is blocked now with its evidence and hint, hints used,
// exercises and challenges done with their times, stuck or not), a summary line, and the page itself. Rows are
// drawn from what the board folded of each attendee's reports, every value of which the schema bounded. The page
// puts every value into the DOM as text (textContent), never as markup: a name like <img onerror=…> stays inert.
import type { Lang, Text } from '../core/text.js';
import type { BoardCell, BoardHint, LearnerState } from '../core/board-report.js';
import { CHAPTER_STATES, STATUS_WORDS } from '../core/verdict.js';

export interface LearnerRow {
  id: string;
  name: string;
  lastSeen: string;
  /** the highest chapter number that passed */
  chapterReached: number | null;
  /** the check that fails or is blocked in the latest report, if any */
  failing: { ref: string; status: string; evidence: string; hint?: BoardHint; since: string } | null;
  stuck: boolean;
  /** the grid's cells, by chapter number */
  chapters: Record<string, BoardCell>;
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
    chapters: s.chapters,
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
  hints: { en: 'Hints', 'zh-TW': '提示' },
  done: { en: 'Exercises · challenges', 'zh-TW': '練習 · 挑戰' },
  seen: { en: 'Last report', 'zh-TW': '最後回報' },
  export: { en: 'Export CSV', 'zh-TW': '匯出 CSV' },
  pick: { en: 'Click a cell for its check, evidence and hint.', 'zh-TW': '點一下格子，就會顯示它的檢查、證據與提示。' },
} satisfies Record<string, Text>;

/** A column of the grid: a chapter of the catalog. */
export interface BoardColumn {
  number: number;
  title: Text;
}

/** The page: a shell with no data in it (the script fills it as text). Large type and strong colours: it is shown on a projector. */
export function boardPage(lang: Lang): string {
  const t = (k: keyof typeof T) => T[k][lang];
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>${t('title')}</title>
<style>
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#111;font-size:18px}
h1{margin:.2rem 0 .6rem}#summary{font-size:1.1em;margin:.3rem 0}#counts{margin:.2rem 0 1rem;color:#333}
table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.35rem .5rem;text-align:left;vertical-align:top}
th.ch{text-align:center;min-width:4.5rem}th.ch small{display:block;font-weight:normal;color:#333}
td.cell{text-align:center;font-weight:600;cursor:pointer;white-space:nowrap}
.s-passed{background:#d3f5dc;color:#0b5d1e}.s-failed{background:#b42318;color:#fff}.s-blocked{background:#f79009;color:#111}
.s-not-applicable{background:#eaecf0;color:#475467}.s-interrupted{background:#6941c6;color:#fff}.s-none{background:#fff;color:#98a2b3;font-weight:normal}
tr.stuck td.who{background:#b42318;color:#fff;font-weight:bold}td.cell.picked{outline:3px solid #111;outline-offset:-3px}
#detail{margin-top:1rem;padding:.6rem .8rem;border-left:6px solid #b42318;background:#fafafa;max-width:70rem;white-space:pre-wrap}
.muted{color:#475467;font-size:.9em}
</style></head>
<body><h1>${t('title')}</h1><p id="summary"></p><p id="counts"></p>
<table><thead><tr id="head"><th>${t('name')}</th></tr></thead><tbody id="rows"></tbody></table>
<p class="muted">${t('pick')}</p><div id="detail" hidden></div>
<p><a href="/export.csv">${t('export')}</a></p>
<script src="/board.js"></script></body></html>
`;
}

/** The page's script: a grid of attendees × chapters, redrawn from /api/learners and from each server-sent event. */
export function boardScript(lang: Lang, stuckMs: number, columns: readonly BoardColumn[] = []): string {
  const L = {
    stuck: { en: `stuck (over ${Math.round(stuckMs / 60000)} min on the same check)`, 'zh-TW': `卡住了（同一項檢查超過 ${Math.round(stuckMs / 60000)} 分鐘）` }[lang],
    attendees: { en: 'attendees', 'zh-TW': '位學員' }[lang],
    stuckCount: { en: 'stuck', 'zh-TW': '卡住' }[lang],
    chapter: { en: 'chapter', 'zh-TW': '章節' }[lang],
    count: { en: 'chapter {n}: {k} of {all} passed', 'zh-TW': '第 {n} 章：{k}／{all} 通過' }[lang],
    notYet: { en: 'not yet', 'zh-TW': '尚未' }[lang],
    hint: { en: 'hint', 'zh-TW': '提示' }[lang],
    since: { en: 'reported', 'zh-TW': '回報時間' }[lang],
    hints: T.hints[lang],
    done: T.done[lang],
    seen: T.seen[lang],
  };
  const words = Object.fromEntries(CHAPTER_STATES.map((st) => [st, STATUS_WORDS[st][lang]]));
  const cols = columns.map((c) => ({ number: c.number, title: c.title[lang] }));
  return `'use strict';
const lang = ${JSON.stringify(lang)};
const L = ${JSON.stringify(L)};
const WORDS = ${JSON.stringify(words)};
const COLUMNS = ${JSON.stringify(cols)};
const rows = new Map();
let picked = null;
const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = String(text); if (cls) e.className = cls; return e; };
const mins = (ms) => ms === undefined ? '' : ' ' + Math.round(ms / 60000) + ' min';
// the catalog's chapters, and any other a report carried (a number is two digits at most: the schema holds it so, the page checks too)
function columnsNow() {
  const seen = new Map(COLUMNS.map((c) => [c.number, c]));
  for (const r of rows.values()) for (const k of Object.keys(r.chapters || {})) { const n = Number(k); if (Number.isInteger(n) && n >= 0 && n <= 99 && !seen.has(n)) seen.set(n, { number: n, title: '' }); }
  return [...seen.values()].sort((a, b) => a.number - b.number);
}
const isWord = (st) => Object.prototype.hasOwnProperty.call(WORDS, st);
function show(r, c) {
  const d = document.getElementById('detail');
  const cell = (r.chapters || {})[String(c.number)];
  d.hidden = false;
  const lines = [r.name + ' · ' + L.chapter + ' ' + c.number + (c.title ? ' · ' + c.title : '') + ' · ' + (cell && isWord(cell.state) ? WORDS[cell.state] : L.notYet)];
  if (cell && cell.item) {
    lines.push(cell.item.ref + ' (' + (isWord(cell.item.status) ? WORDS[cell.item.status] : cell.item.status) + ')', cell.item.evidence);
    if (cell.item.hint) lines.push(L.hint + ': ' + (cell.item.hint[lang] || cell.item.hint.en));
  }
  if (cell) lines.push(L.since + ': ' + new Date(cell.at).toLocaleTimeString());
  d.textContent = lines.join('\\n');
}
function draw() {
  const cols = columnsNow();
  const list = [...rows.values()].sort((a, b) => (b.stuck - a.stuck) || a.name.localeCompare(b.name));
  const head = document.getElementById('head');
  const counts = cols.map((c) => list.filter((r) => (r.chapters || {})[String(c.number)] && r.chapters[String(c.number)].state === 'passed').length);
  head.replaceChildren(head.firstElementChild, ...cols.map((c, i) => { const th = el('th', String(c.number), 'ch'); th.title = c.title; th.append(el('small', counts[i] + '/' + list.length)); return th; }), el('th', L.hints), el('th', L.done), el('th', L.seen));
  document.getElementById('rows').replaceChildren(...list.map((r) => {
    const tr = el('tr', undefined, r.stuck ? 'stuck' : '');
    tr.dataset.learner = r.id;
    const who = el('td', r.name, 'who');
    if (r.stuck) who.title = L.stuck;
    tr.append(who);
    for (const c of cols) {
      const cell = (r.chapters || {})[String(c.number)];
      const st = cell && isWord(cell.state) ? cell.state : 'none';
      const td = el('td', st === 'none' ? L.notYet : WORDS[st], 'cell s-' + st);
      td.dataset.chapter = String(c.number);
      td.dataset.state = st;
      if (picked && picked.id === r.id && picked.n === c.number) td.classList.add('picked');
      td.addEventListener('click', () => { picked = { id: r.id, n: c.number }; show(r, c); draw(); });
      tr.append(td);
    }
    tr.append(el('td', r.hintsUsed));
    tr.append(el('td', [...r.exercises.map((e) => e.id + mins(e.timeToSolveMs)), ...r.challenges.map((x) => x.id + mins(x.timeToFixMs))].join(', ')));
    tr.append(el('td', new Date(r.lastSeen).toLocaleTimeString()));
    return tr;
  }));
  const stuck = list.filter((r) => r.stuck).length;
  document.getElementById('summary').textContent = list.length + ' ' + L.attendees + (stuck ? ' · ' + stuck + ' ' + L.stuckCount : '');
  const fill = (n, k) => L.count.replace('{n}', n).replace('{k}', k).replace('{all}', list.length);
  document.getElementById('counts').textContent = list.length ? cols.map((c, i) => fill(c.number, counts[i])).join(' · ') : '';
  if (picked) { const r = rows.get(picked.id); const c = cols.find((x) => x.number === picked.n); if (r && c) show(r, c); }
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
export function boardViews(lang: Lang, stuckMs: number, columns: readonly BoardColumn[] = []) {
  return {
    row: (state: LearnerState, now: number) => rowOf(state, now, stuckMs),
    page: () => boardPage(lang),
    script: () => boardScript(lang, stuckMs, columns),
    csv: (rows: LearnerRow[]) => toCsv(rows),
  };
}
