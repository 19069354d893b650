import { UsageError, openStore, preflightReports, say, toBoard, withLab, write, type CommandInput, type MainIo } from './kit.js';
import { COMMON, ENDPOINT_FLAGS, type CommandSpec, type Flags } from '../cli/options.js';
import type { Lab } from '../core/model.js';
import type { Exercise, Grade } from '../lab/exercises.js';
import { punct, type Text } from '../core/text.js';
import { httpNamesOf, withHttpNames } from '../lab/shop.js';

/** Its usage, summary and flags: read by the parser and by `--help`. */
export const spec: CommandSpec = {
  name: 'exercise',
  usage: 'exercise <list|id> [--query Q]',
  positional: 'action-and-name',
  flags: [...COMMON, ...ENDPOINT_FLAGS, 'json'],
  own: {
    query: { type: 'string', value: 'Q', help: { en: 'your answer: a TraceQL or PromQL query (or a trace id); without it, in a terminal, you type it', 'zh-TW': '你的答案：TraceQL 或 PromQL 查詢（或追蹤 ID）；不指定時，在終端機中直接輸入' } },
    spoilers: { type: 'boolean', help: { en: 'exercise list: show one right answer to each', 'zh-TW': 'exercise list：顯示每題的一個正確答案' } },
    'show-answer': { type: 'boolean', help: { en: 'show one right answer to this exercise (kept in progress: it was shown)', 'zh-TW': '顯示這題的一個正確答案（進度中會記下已顯示過）' } },
  },
  summary: {
    en: 'practice: write TraceQL and PromQL against the live lab, graded on what they return (list, or an exercise id)',
    'zh-TW': '練習：對著實驗環境寫 TraceQL 與 PromQL，依查詢結果評分（list，或題目 id）',
  },
};

const LANGUAGE = { traceql: 'TraceQL', promql: 'PromQL', 'trace-id': 'trace id', 'traceql-metrics': 'TraceQL metrics' } as const;

/** `workbook exercise list` or `workbook exercise <id> [--query Q]`: exit 0 right, 1 wrong, 2 bad usage. */
export async function run({ lab, io, flags, positionals = [] }: CommandInput): Promise<number> {
  const [what = 'list', extra] = positionals;
  const { EXERCISES, exerciseList, findExercise } = await import('../lab/exercises.js');
  if (what === 'list') {
    if (extra) throw new UsageError(`unexpected argument "${extra}" (usage: workbook ${spec.usage})`);
    return list(lab, io, flags, EXERCISES);
  }
  if (extra) throw new UsageError(`unexpected argument "${extra}": give the answer with --query '…'`);
  const ex = findExercise(what);
  if (!ex) throw new UsageError({ en: `unknown exercise "${what}" (exercises: ${exerciseList()})`, 'zh-TW': `沒有 "${what}" 這個練習（練習：${exerciseList()}）` });
  if (flags.spoilers) throw new UsageError('--spoilers goes with `exercise list`');
  if (flags['show-answer']) return showAnswer(ex, lab, io);
  const { tempoGeneration } = await import('../core/engine.js');
  if (ex.tempo === 3 && tempoGeneration(lab) !== 3) {
    throw new UsageError({ en: `${ex.id} asks Tempo 3 (TraceQL metrics): run it on the current profile (\`workbook lab up --profile current\`, then \`workbook exercise ${ex.id} --profile current\`)`, 'zh-TW': `${ex.id} 要問的是 Tempo 3（TraceQL 指標）：請在 current 版本組合上執行（\`workbook lab up --profile current\`，再 \`workbook exercise ${ex.id} --profile current\`）` });
  }
  await preflightReports(io, flags);
  let answer = flags.query as string | undefined;
  if (answer !== undefined && !answer.trim()) throw new UsageError('--query needs an answer (it was blank)');
  if (answer === undefined && !lab.interactive) throw new UsageError(`give your answer with --query '…' (no terminal to type it in): workbook exercise ${ex.id} --query '<${LANGUAGE[ex.language]}>'`);
  write(io.stdout, `${ex.id}: ${say(ex.title, lab.lang)}\n${say(ex.task, lab.lang)}`);
  // the time to solve counts from the first time the question is shown, not from the first answer
  const shownAt = new Date().toISOString();
  // in a terminal, the learner types; a wrong answer asks again (Esc stops), a right one ends it
  for (;;) {
    if (answer === undefined) {
      const p = await import('@clack/prompts');
      const typed = await p.text({ input: io.stdin as never, output: io.stdout, message: `${say({ en: 'Your', 'zh-TW': '你的' }, lab.lang)} ${LANGUAGE[ex.language]}:`, validate: (v) => (v?.trim() ? undefined : say({ en: 'type an answer (Esc stops)', 'zh-TW': '請輸入答案（Esc 停止）' }, lab.lang)) });
      if (p.isCancel(typed)) return 1;
      answer = typed;
    }
    const { grade: graded, progress } = await attempt(ex, answer, lab, io, shownAt);
    // hints climb: the first wrong answer gets where to look (what differs is the evidence), the next ones the
    // grade's closer hint; the answer itself only with --show-answer
    const wrongSoFar = progress.attempts.filter((a) => !a.right).length;
    const grade: Grade = !graded.right && wrongSoFar <= 1 ? { ...graded, hint: lookAtHere(ex, lab) } : graded;
    const mark = grade.right ? '✔' : '✖';
    write(io.stdout, `${mark} ${say(grade.evidence, lab.lang)}`);
    if (grade.hint) write(io.stdout, `  ${say({ en: 'hint: ', 'zh-TW': '提示：' }, lab.lang)}${say(grade.hint, lab.lang)}`);
    if (!grade.right && wrongSoFar <= 1) write(io.stdout, say({ en: `  (a closer hint comes with your next answer; \`workbook exercise ${ex.id} --show-answer\` shows one answer)`, 'zh-TW': `  （下一次作答會給更具體的提示；\`workbook exercise ${ex.id} --show-answer\` 會顯示一個答案）` }, lab.lang));
    if (grade.right && progress.attempts.length > 1 && progress.solvedAt === progress.attempts.at(-1)!.at) write(io.stdout, say({ en: `Solved after ${progress.attempts.length} answers.`, 'zh-TW': `作答 ${progress.attempts.length} 次後解出。` }, lab.lang));
    const body = { schema: 'tempo-workbook/exercise@1', at: new Date().toISOString(), exercise: ex.id, chapter: ex.chapter, language: ex.language, answer, right: grade.right, evidence: say(grade.evidence, lab.lang), ...(grade.hint ? { hint: grade.hint } : {}), progress };
    if (flags.json) await (await import('../ui/report.js')).writeReportTo('--json', flags.json as string, () => JSON.stringify(body, null, 2) + '\n', { cwd: io.cwd, out: io.stdout });
    await toBoard(lab, io, () => body);
    if (grade.right || flags.query !== undefined) return grade.right ? 0 : 1;
    answer = undefined;
  }
}

/** The first hint with this lab's addresses in it. */
function lookAtHere(ex: Exercise, lab: Lab): Text {
  const fillIn = (t: string) => t.replace('{tempo}', lab.urls.tempo ?? '<tempo>').replace('{prometheus}', lab.urls.prometheus ?? '<prometheus>');
  return { en: fillIn(ex.lookAt.en), 'zh-TW': fillIn(ex.lookAt['zh-TW']) };
}

/** One right answer, asked for: shown, and kept in progress as shown (a solve after it is the learner's still, but known). */
async function showAnswer(ex: Exercise, lab: Lab, io: MainIo): Promise<number> {
  const store = await openStore(lab, io);
  const now = new Date().toISOString();
  store.setExercise(ex.id, (p) => ({ ...(p ?? { firstShownAt: now, firstTriedAt: now, attempts: [] }), answerShownAt: p?.answerShownAt ?? now }));
  await store.save();
  write(io.stdout, `${ex.id}: ${say(ex.title, lab.lang)}\n${say({ en: 'One right answer', 'zh-TW': '一個正確答案' }, lab.lang)}${punct(lab.lang).colon}${withHttpNames(ex.answer, httpNamesOf(lab.profile))}`);
  return 0;
}

/** Grade one answer against the lab and keep it in progress (every answer, and when it was first right). */
async function attempt(ex: Exercise, answer: string, lab: Lab, io: MainIo, shownAt: string): Promise<{ grade: Grade; progress: import('../effects/progress.js').ExerciseProgress }> {
  const store = await openStore(lab, io);
  const grade = await withLab(lab, io, store, (ctx) => ex.grade(ctx, answer));
  const now = new Date();
  const progress = store.setExercise(ex.id, (p) => {
    const base = p ?? { firstShownAt: shownAt, firstTriedAt: now.toISOString(), attempts: [] };
    const attempts = [...base.attempts, { at: now.toISOString(), answer, right: grade.right, evidence: say(grade.evidence, lab.lang) }];
    if (!grade.right || base.solvedAt) return { ...base, attempts };
    return { ...base, attempts, solvedAt: now.toISOString(), timeToSolveMs: now.getTime() - Date.parse(base.firstShownAt ?? base.firstTriedAt) };
  });
  await store.save();
  // as saved: another answer given meanwhile (another terminal) is part of it
  return { grade, progress: store.data.exercises?.[ex.id] ?? progress };
}

async function list(lab: Lab, io: MainIo, flags: Flags, all: readonly Exercise[]): Promise<number> {
  const store = await openStore(lab, io);
  const { CATALOG } = await import('../core/catalog.js');
  const { formatDuration } = await import('../core/format.js');
  const rows = all.map((e) => {
    const p = store.data.exercises?.[e.id];
    const n = CATALOG.find((c) => c.id === e.chapter)?.number;
    const state = !p
      ? say({ en: 'not tried', 'zh-TW': '尚未作答' }, lab.lang)
      : p.solvedAt
        ? say({ en: `solved in ${formatDuration(p.timeToSolveMs ?? 0)}, ${p.attempts.filter((a) => a.at <= p.solvedAt!).length} answer(s)`, 'zh-TW': `已解出，耗時 ${formatDuration(p.timeToSolveMs ?? 0)}，作答 ${p.attempts.filter((a) => a.at <= p.solvedAt!).length} 次` }, lab.lang)
        : say({ en: `${p.attempts.length} answer(s), not solved yet`, 'zh-TW': `作答 ${p.attempts.length} 次，尚未解出` }, lab.lang);
    return [`  ${e.id.padEnd(26)} ${say({ en: 'chapter', 'zh-TW': '第' }, lab.lang)} ${n}${lab.lang === 'zh-TW' ? ' 章' : ''} · ${LANGUAGE[e.language]} · ${state}`, `  ${''.padEnd(26)} ${say(e.task, lab.lang)}`, ...(flags.spoilers ? [`  ${''.padEnd(26)} ${say({ en: 'one answer', 'zh-TW': '一個答案' }, lab.lang)}: ${withHttpNames(e.answer, httpNamesOf(lab.profile))}`] : [])].join('\n');
  });
  write(io.stdout, [say({ en: 'Exercises (graded on what your query returns, against the live lab):', 'zh-TW': '練習（依你的查詢在實驗環境中傳回的結果評分）：' }, lab.lang), ...rows, '', say({ en: "Try one: workbook exercise <id> --query '…'   (in a terminal, leave out --query and type it)", 'zh-TW': "試一題：workbook exercise <id> --query '…'　（在終端機中可省略 --query，直接輸入）" }, lab.lang)].join('\n'));
  return 0;
}
