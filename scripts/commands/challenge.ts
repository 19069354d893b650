import type { ChallengeAttempt, ChallengeProgress } from '../effects/progress.js';
import { MARK, challengeFixed, verified } from '../core/verdict.js';
import { UsageError, heartbeatMs, openStore, preflightReports, say, toBoard, withLab, write, yesNo, type CommandInput, type MainIo } from './kit.js';
import { COMMON, ENDPOINT_FLAGS, type CommandSpec, type Flags } from '../cli/options.js';
import type { Challenge, Lab, LabContext, Step } from '../core/model.js';
import type { Session } from '../core/session.js';
import { punct, type Text } from '../core/text.js';
import { symptomOf } from '../lab/challenges.js';

/** Its usage, summary and flags: read by the parser and by `--help`. */
export const spec: CommandSpec = {
  name: 'challenge',
  usage: 'challenge <list|start|check|hint|reset> [id]',
  positional: 'action-and-name',
  flags: [...COMMON, ...ENDPOINT_FLAGS, 'yes', 'json', 'show-secrets'],
  own: {
    'show-fault': { type: 'boolean', help: { en: 'challenge start: also say what the fault is (a spoiler)', 'zh-TW': 'challenge start：同時說明故障是什麼（會破梗）' } },
  },
  summary: {
    en: 'practice: break your lab on purpose (start), find out why (hint), fix it (check), or put it back (reset)',
    'zh-TW': '練習：刻意弄壞實驗環境（start）、找出原因（hint）、修好它（check），或還原（reset）',
  },
};

const ACTIONS = ['list', 'start', 'check', 'hint', 'reset'] as const;
type Action = (typeof ACTIONS)[number];

const L = {
  symptom: { en: 'What you see', 'zh-TW': '你會看到' },
  secretTitle: { en: 'a check whose name would give the cause away', 'zh-TW': '一項名稱會洩漏原因的檢查' },
  secretEvidence: { en: 'what it read names the cause …', 'zh-TW': '它讀到的內容會說出原因 …' },
  next: {
    en: 'Find the cause and fix it in the lab. `workbook watch {id}` shows the checks live; `workbook challenge check {id}` records the fix; stuck: `workbook challenge hint {id}`.',
    'zh-TW': '找出原因並在實驗環境中修好它。`workbook watch {id}` 即時顯示檢查結果；`workbook challenge check {id}` 記錄修復；卡住了：`workbook challenge hint {id}`。',
  },
  notStarted: { en: 'challenge {id} is not started: `workbook challenge start {id}` first', 'zh-TW': '挑戰 {id} 尚未開始：請先執行 `workbook challenge start {id}`' },
  confirm: { en: 'This breaks your lab on purpose. Run', 'zh-TW': '這會刻意弄壞你的實驗環境。確定執行' },
  why: { en: 'why', 'zh-TW': '原因' },
  hidden: { en: '(the fault\'s command is hidden: it would name the cause; --show-fault shows it)', 'zh-TW': '（故障的指令已隱藏：它會說出原因；--show-fault 會顯示）' },
  faultIn: { en: 'the fault is in', 'zh-TW': '故障已放入' },
  theFault: { en: 'the fault', 'zh-TW': '這個故障' },
  neutralWhy: { en: 'Puts one fault into your lab, with the real tools; `workbook challenge reset` puts the article\'s state back.', 'zh-TW': '用真正的工具在你的實驗環境放入一個故障；`workbook challenge reset` 會還原成文章的狀態。' },
} as const;

const t = (text: Text, lang: Lab['lang'], vars: Record<string, string> = {}) => say(text, lang).replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);

/** `workbook challenge <action> [id]`. */
export async function run({ lab, io, flags, positionals = [] }: CommandInput): Promise<number> {
  const [action = 'list', id] = positionals;
  if (!ACTIONS.includes(action as Action)) {
    throw new UsageError({ en: `unknown challenge action "${action}" (actions: ${ACTIONS.join(', ')})`, 'zh-TW': `沒有 "${action}" 這個挑戰動作（動作：${ACTIONS.join('、')}）` });
  }
  const { CHALLENGES, findChallenge } = await import('../lab/challenges.js');
  if (action === 'list') return list(lab, io, CHALLENGES);
  const ch = findChallenge(id);
  switch (action as Exclude<Action, 'list'>) {
    case 'start':
      return start(ch, lab, io, Boolean(flags['show-fault']));
    case 'check':
      return check(ch, lab, io, flags);
    case 'hint':
      return hint(ch, lab, io);
    case 'reset':
      return reset(ch, lab, io);
  }
}

async function list(lab: Lab, io: MainIo, challenges: readonly Challenge[]): Promise<number> {
  const store = await openStore(lab, io);
  const { challengeState } = await import('../ui/status.js');
  const rows = challenges.map((c) => {
    const state = challengeState(store.data.challenges?.[c.id], lab.lang);
    return `  ${c.id.padEnd(28)} ${say(c.title, lab.lang)}\n  ${''.padEnd(28)} ${state}\n  ${''.padEnd(28)} ${say(symptomOf(c, lab), lab.lang)}`;
  });
  write(io.stdout, [say({ en: 'Challenges (break, find, fix):', 'zh-TW': '挑戰（弄壞、找出原因、修好）：' }, lab.lang), ...rows, '', say({ en: 'Start one: workbook challenge start <id>   (only a lab the workbook created is ever changed)', 'zh-TW': '開始一個：workbook challenge start <id>　（只會變更工作手冊自己建立的實驗環境）' }, lab.lang)].join('\n'));
  return 0;
}

/** Runs steps in the open, like any chapter's: the command and why first, confirmation for the fault, output streamed. */
async function showAndRun(steps: Step[], ctx: LabContext, session: Session, lab: Lab, io: MainIo, hide = false): Promise<boolean> {
  const { runSteps: loop } = await import('../core/runner.js');
  const { showCommand } = await import('../core/format.js');
  const { CATALOG } = await import('../core/catalog.js');
  const { HEARTBEAT_MS, startHeartbeat } = await import('../lab/heartbeat.js');
  // the steps belong to no chapter of progress (the session keeps nothing); the first chapter stands in for the loop
  const host = { ...CATALOG[0]!, id: 'challenge', steps, checks: [] };
  let failed = false;
  const outcome = await loop(session, host, steps, {
    beforeStep: async (_c, s) => {
      // a fault's command (and what it prints) would name the cause: hidden unless --show-fault
      write(io.stdout, hide ? `$ ${say(L.hidden, lab.lang)}` : `$ ${showCommand(s.command(lab))}`);
      write(io.stdout, `  ${say(L.why, lab.lang)}: ${hide ? t(L.neutralWhy, lab.lang, { id: s.id }) : say(s.why, lab.lang)}`);
      return 'run';
    },
    step: (_c, s) => {
      // a helm upgrade --wait can take minutes: a line every so often says what it waits for
      const beat = startHeartbeat(s, ctx, { everyMs: heartbeatMs(io.env) ?? HEARTBEAT_MS, emit: (l) => write(io.stdout, `  │ ${l}`) });
      return {
        onLine: (l) => {
          beat.line(l);
          if (!hide) write(io.stdout, `  │ ${l}`);
        },
        confirm: async (c) => {
          const p = await import('@clack/prompts');
          const ok = await p.confirm({ input: io.stdin as never, output: io.stdout, message: `${say(L.confirm, lab.lang)} ${hide ? say(L.theFault, lab.lang) : c}?`, initialValue: false, ...yesNo(lab.lang) });
          return ok === true;
        },
        done: async (r) => {
          await beat.stop();
          if (!r) return;
          if (r.status === 'failed') {
            failed = true;
            write(io.stdout, `✖ ${r.evidence}`);
            if (r.hint) write(io.stdout, `  hint: ${say(r.hint, lab.lang)}`);
          } else write(io.stdout, hide ? `${MARK[r.status]} ${say(L.faultIn, lab.lang)}` : `${MARK[r.status]} ${r.evidence}`);
        },
      };
    },
  });
  return outcome === 'ok' && !failed;
}

async function labSession(lab: Lab, io: MainIo, store: Awaited<ReturnType<typeof openStore>>, fn: (ctx: LabContext, session: Session) => Promise<number>): Promise<number> {
  const { Session, nullStore } = await import('../core/session.js');
  return withLab(lab, io, store, (ctx) => fn(ctx, new Session(ctx, nullStore(), 'run', io.signal)));
}

async function start(ch: Challenge, lab: Lab, io: MainIo, showFault: boolean): Promise<number> {
  const store = await openStore(lab, io);
  const { faultSteps, notOnThisLab } = await import('../lab/challenges.js');
  const { CATALOG } = await import('../core/catalog.js');
  const refused = notOnThisLab(ch, lab);
  if (refused) throw new UsageError(refused);
  const { start: steps } = faultSteps(ch, CATALOG, lab);
  write(io.stdout, `${say({ en: 'Challenge', 'zh-TW': '挑戰' }, lab.lang)} ${ch.id}: ${say(ch.title, lab.lang)}`);
  const ok = await labSession(lab, io, store, async (ctx, session) => ((await showAndRun(steps, ctx, session, lab, io, !showFault)) ? 0 : 1));
  if (ok !== 0) return ok;
  // attempts are history: a start never erases one; the one before is kept, as it ended
  const now = new Date().toISOString();
  const prev = store.data.challenges?.[ch.id];
  const record = store.setChallenge(ch.id, (p) => ({ status: 'broken', startedAt: now, hintsUsed: 0, ...(p ? { attempts: [...(p.attempts ?? []), archived(p, now)] } : {}) }));
  await store.save();
  if (prev) {
    const { formatDuration } = await import('../core/format.js');
    const formatDurationMs = (ms?: number) => (ms === undefined ? '?' : formatDuration(ms));
    const n = record.attempts!.length + 1;
    const last = record.attempts!.at(-1)!;
    const how = last.status === 'fixed' ? say({ en: `fixed in ${formatDurationMs(last.timeToFixMs)}`, 'zh-TW': `修復耗時 ${formatDurationMs(last.timeToFixMs)}` }, lab.lang) : last.status === 'reset' ? say({ en: 'reset', 'zh-TW': '已還原' }, lab.lang) : say({ en: 'not finished', 'zh-TW': '未完成' }, lab.lang);
    write(io.stdout, say({ en: `A new attempt begins (attempt ${n}). The one before (started ${last.startedAt}, ${last.hintsUsed} hint(s), ${how}) stays in the history.`, 'zh-TW': `開始新的一次嘗試（第 ${n} 次）。上一次（開始於 ${last.startedAt}，${last.hintsUsed} 個提示，${how}）保留在紀錄中。` }, lab.lang));
  }
  write(io.stdout, `\n${say(L.symptom, lab.lang)}${punct(lab.lang).colon}${say(symptomOf(ch, lab), lab.lang)}\n\n${t(L.next, lab.lang, { id: ch.id })}`);
  if (showFault) write(io.stdout, `\n${say({ en: 'The fault (--show-fault)', 'zh-TW': '故障（--show-fault）' }, lab.lang)}: ${say(ch.cause, lab.lang)}`);
  return 0;
}

/** The attempt under way (or last), as it ends when a new one starts. */
function archived(p: ChallengeProgress, endedAt: string): ChallengeAttempt {
  return {
    status: p.status === 'broken' ? 'restarted' : p.status,
    startedAt: p.startedAt,
    hintsUsed: p.hintsUsed,
    ...(p.fixedAt ? { fixedAt: p.fixedAt } : {}),
    ...(p.timeToFixMs !== undefined ? { timeToFixMs: p.timeToFixMs } : {}),
    endedAt,
  };
}


function started(ch: Challenge, store: Awaited<ReturnType<typeof openStore>>) {
  const p = store.data.challenges?.[ch.id];
  if (!p || p.status === 'reset') throw new UsageError({ en: t(L.notStarted, 'en', { id: ch.id }), 'zh-TW': t(L.notStarted, 'zh-TW', { id: ch.id }) });
  return p;
}

/** The broken checks, once each within a short budget; results for progress and the report. */
async function runBroken(ch: Challenge, ctx: LabContext, session: Session, budgetMs: number) {
  const { brokenChecks } = await import('../lab/challenges.js');
  const { CATALOG } = await import('../core/catalog.js');
  const { runCheckList } = await import('../core/runner.js');
  session.checkBudgetMs = budgetMs;
  const ran = await runCheckList(session, brokenChecks(ch, CATALOG));
  return ran.map(({ chapter, check, result }) => ({ ref: `${chapter.id}/${check.id}`, title: say(check.title, ctx.lab.lang), result }));
}

/** A verdict wanted, not a wait: a broken check gets this long (or --timeout, if shorter). */
const CHECK_BUDGET_MS = 30_000;

async function check(ch: Challenge, lab: Lab, io: MainIo, flags: Flags): Promise<number> {
  await preflightReports(io, flags);
  const store = await openStore(lab, io);
  const before = started(ch, store);
  const { Session, nullStore } = await import('../core/session.js');
  const { formatDuration } = await import('../core/format.js');
  let session!: Session;
  const results = await withLab(lab, io, store, async (ctx) => {
    // judged on what happened after the fault went in: readings from before it cannot show it fixed
    ctx.since = Date.parse(before.startedAt);
    session = new Session(ctx, nullStore(), 'verify', io.signal);
    return runBroken(ch, ctx, session, CHECK_BUDGET_MS);
  });
  const out = flags.json === '-' ? io.stderr : io.stdout;
  // a check that does not apply here (asks the cluster, but the endpoints were named) does not hold the fix back
  const fixed = challengeFixed(results.map((r) => r.result.status), ch.breaks.length);
  // the symptom and what was measured; what names the cause waits for hint 2 or the fix (`verify` says it all)
  const secret = !fixed && before.hintsUsed < 2;
  const { withoutCause } = await import('../lab/challenges.js');
  write(out, `${say(L.symptom, lab.lang)}${punct(lab.lang).colon}${say(symptomOf(ch, lab), lab.lang)}`);
  let hidden = 0;
  for (const r of results) {
    const title = secret ? withoutCause(r.title, ch.causeWords) ?? say(L.secretTitle, lab.lang) : r.title;
    const evidence = secret ? withoutCause(r.result.evidence, ch.causeWords) : r.result.evidence;
    if (evidence === undefined || evidence !== r.result.evidence || title !== r.title) hidden++;
    write(out, `${MARK[r.result.status]} ${title} — ${evidence ?? say(L.secretEvidence, lab.lang)}`);
  }
  if (hidden) write(out, say({ en: `(… marks what would name the cause: \`workbook challenge hint ${ch.id}\` twice shows it, and so does \`workbook verify\`)`, 'zh-TW': `（… 表示會說出原因的部分：執行兩次 \`workbook challenge hint ${ch.id}\` 就會顯示，\`workbook verify\` 也會）` }, lab.lang));
  const now = new Date();
  const changed = store.setChallenge(ch.id, (p) => {
    const base = p ?? before;
    const checks = Object.fromEntries(results.map((r) => [r.ref, { status: r.result.status, at: now.toISOString(), durationMs: Math.round(r.result.durationMs), evidence: r.result.evidence }]));
    // a fixed attempt is finished: a later check that fails does not rewrite its fix
    if (!fixed) return { ...base, checkedAt: now.toISOString(), checks };
    // the first check that passes is the fix; a later one keeps its time
    const timeToFixMs = base.status === 'fixed' && base.timeToFixMs !== undefined ? base.timeToFixMs : now.getTime() - Date.parse(base.startedAt);
    return { ...base, status: 'fixed', checkedAt: now.toISOString(), checks, fixedAt: base.status === 'fixed' && base.fixedAt ? base.fixedAt : now.toISOString(), timeToFixMs };
  });
  await store.save();
  const record = store.data.challenges?.[ch.id] ?? changed;
  if (fixed) {
    write(out, say({ en: `✔ Fixed: ${ch.id} in ${formatDuration(record.timeToFixMs ?? 0)}, with ${record.hintsUsed} hint(s).`, 'zh-TW': `✔ 已修復：${ch.id}，耗時 ${formatDuration(record.timeToFixMs ?? 0)}，用了 ${record.hintsUsed} 個提示。` }, lab.lang));
  } else {
    const bad = results.filter((r) => !verified(r.result.status) && r.result.status !== 'not-applicable').length;
    write(out, say({ en: `✖ Not fixed yet: ${bad} of ${ch.breaks.length} checks still fail. Stuck? workbook challenge hint ${ch.id}`, 'zh-TW': `✖ 尚未修復：${ch.breaks.length} 個檢查中仍有 ${bad} 個失敗。卡住了？workbook challenge hint ${ch.id}` }, lab.lang));
  }
  const { CATALOG } = await import('../core/catalog.js');
  const chapters = CATALOG.filter((c) => results.some((r) => r.ref.startsWith(`${c.id}/`)));
  const extra = { challenge: { id: ch.id, fixed, ...record }, challenges: store.data.challenges };
  if (flags.json) {
    const { writeReports } = await import('../ui/report.js');
    await writeReports(session, chapters, { json: flags.json }, { cwd: io.cwd, out: io.stdout, extra });
  }
  await toBoard(lab, io, async () => (await import('../ui/report.js')).jsonReport(session, chapters, extra));
  return fixed ? 0 : 1;
}

/**
 * Escalating, never running anything: 1 where to look by hand, 2 what to look for in what that shows, 3 the fix.
 * A challenge not started shows hint 1 only (nothing is counted, no lab is needed).
 */
async function hint(ch: Challenge, lab: Lab, io: MainIo): Promise<number> {
  const store = await openStore(lab, io);
  const { hintFor } = await import('../lab/challenges.js');
  const p = store.data.challenges?.[ch.id];
  if (!p || p.status === 'reset') {
    write(io.stdout, `${say({ en: 'Hint 1 of 3', 'zh-TW': '提示 1／3' }, lab.lang)}: ${hintFor(ch, 1, lab)}`);
    write(io.stdout, say({ en: `(the next hints come once the challenge is started: workbook challenge start ${ch.id})`, 'zh-TW': `（開始挑戰後才有下一個提示：workbook challenge start ${ch.id}）` }, lab.lang));
    return 0;
  }
  const level = Math.min(p.hintsUsed + 1, 3) as 1 | 2 | 3;
  write(io.stdout, `${say({ en: `Hint ${level} of 3`, 'zh-TW': `提示 ${level}／3` }, lab.lang)}: ${hintFor(ch, level, lab)}`);
  // after the fix, a hint is shown but not counted: the fix stays "with N hints"
  if (p.status === 'fixed') {
    write(io.stdout, say({ en: '(this challenge is fixed: the hint is not counted)', 'zh-TW': '（這個挑戰已修復：這次提示不計入）' }, lab.lang));
    return 0;
  }
  store.setChallenge(ch.id, (c) => ({ ...(c ?? p), hintsUsed: Math.max((c ?? p).hintsUsed, level) }));
  await store.save();
  return 0;
}

async function reset(ch: Challenge, lab: Lab, io: MainIo): Promise<number> {
  const store = await openStore(lab, io);
  const { faultSteps, notOnThisLab } = await import('../lab/challenges.js');
  const { CATALOG } = await import('../core/catalog.js');
  const refused = notOnThisLab(ch, lab);
  if (refused) throw new UsageError(refused);
  const { reset: steps } = faultSteps(ch, CATALOG, lab);
  const ok = await labSession(lab, io, store, async (ctx, session) => ((await showAndRun(steps, ctx, session, lab, io)) ? 0 : 1));
  if (ok !== 0) return ok;
  if (store.data.challenges?.[ch.id]) {
    store.setChallenge(ch.id, (c) => ({ ...c!, status: c!.status === 'fixed' ? 'fixed' : 'reset' }));
    await store.save();
  }
  write(io.stdout, say({ en: `Restored the article's state for ${ch.id}.`, 'zh-TW': `已為 ${ch.id} 還原文章的設定。` }, lab.lang));
  return 0;
}
