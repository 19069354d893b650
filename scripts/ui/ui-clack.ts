import { CHAPTER_MARK, MARK, STATUS_WORDS } from '../core/verdict.js';
import * as p from '@clack/prompts';
import { CancelledError } from '../core/errors.js';
import { collapseAttempts, formatCommand, formatDuration } from '../core/format.js';
import type { Chapter } from '../core/model.js';
import type { Session } from '../core/session.js';
import { runChapters, type RunHooks } from '../core/runner.js';
import { promptWords, punct, say } from '../core/text.js';
import { readLesson } from '../core/catalog.js';
import { renderMarkdown } from '../core/markdown.js';
import { HEARTBEAT_MS, startHeartbeat } from '../lab/heartbeat.js';

const UI = {
  run: { en: 'Run it?', 'zh-TW': '要執行嗎？' },
  yes: { en: 'Run', 'zh-TW': '執行' },
  skip: { en: 'Skip (I did it myself)', 'zh-TW': '略過（我自己執行過了）' },
  quit: { en: 'Stop here', 'zh-TW': '先停在這裡' },
  why: { en: 'Why', 'zh-TW': '為什麼' },
  checks: { en: 'Checking that it worked', 'zh-TW': '驗證是否成功' },
  hint: { en: 'Hint', 'zh-TW': '提示' },
  stopped: { en: 'Stopped. Progress is saved; `workbook run` continues from here.', 'zh-TW': '已停止。進度已儲存，執行 `workbook run` 會從這裡繼續。' },
  confirmDestructive: { en: 'This cannot be undone. Run', 'zh-TW': '此動作無法復原。確定執行' },
} as const;

/**
 * The interactive path, as hooks into the one run loop (scripts/core/runner.ts): lesson, then each command shown
 * with why, confirmed, streamed; then the checks. Returns 'stopped' when the learner chose "Stop here".
 */
export async function runWithClack(chapters: readonly Chapter[], session: Session, io: p.CommonOptions = {}, heartbeatMs = HEARTBEAT_MS): Promise<'stopped' | void> {
  const o = { input: io.input, output: io.output };
  const lab = session.ctx.lab;
  const lang = lab.lang;
  const words = promptWords(lang);
  p.updateSettings({ messages: { cancel: words.cancel, error: words.error } });
  const hooks: RunHooks = {
    openChapter: async (ch) => {
      p.intro(`${ch.number}. ${say(ch.title, lang)}`, o);
      if (session.mode !== 'run') return;
      const out = (io.output ?? process.stdout) as NodeJS.WriteStream;
      // plain lines, no box around them: a command copied from the lesson pastes clean
      out.write(`\n${renderMarkdown(await readLesson(ch, lang), { width: out.columns || 80, color: lab.color === true && out.isTTY === true }).trimEnd()}\n\n`);
    },
    beforeStep: async (_ch, step) => {
      p.log.step(`$ ${formatCommand(step.command(lab).argv)}`, o);
      p.log.message(`${say(UI.why, lang)}${punct(lang).colon}${say(step.why, lang)}`, o);
      // on the embedded lab a kind-lab step is shown, not offered: nothing to run, nothing to skip
      if (lab.embedded && !step.forEmbedded) return 'run';
      if (lab.yes) return 'run';
      const answer = await p.select({
        ...o,
        message: say(UI.run, lang),
        options: [
          { value: 'run' as const, label: say(UI.yes, lang) },
          { value: 'skip' as const, label: say(UI.skip, lang) },
          { value: 'quit' as const, label: say(UI.quit, lang) },
        ],
      });
      if (p.isCancel(answer)) {
        p.outro(say(UI.stopped, lang), o);
        throw new CancelledError();
      }
      if (answer === 'quit') p.outro(say(UI.stopped, lang), o);
      return answer;
    },
    step: (_ch, step) => {
      const log = p.taskLog({ ...o, title: formatCommand(step.command(lab).argv), limit: 12 });
      const beat = startHeartbeat(step, session.ctx, { everyMs: heartbeatMs, emit: (l) => log.message(l) });
      return {
        onLine: (l) => {
          beat.line(l);
          log.message(l);
        },
        confirm: async (c) => {
          const ok = await p.confirm({ ...o, message: `${say(UI.confirmDestructive, lang)} ${c}?`, initialValue: false, active: words.active, inactive: words.inactive });
          return ok === true;
        },
        done: async (r) => {
          await beat.stop();
          if (!r) return;
          if (r.status === 'skipped' || r.status === 'interrupted') log.success(`${MARK[r.status]} ${r.evidence}`);
          else if (r.status === 'passed') log.success(`✔ ${formatDuration(r.durationMs)}`);
          else {
            log.error(`✖ ${r.evidence}`);
            if (r.hint) p.log.warn(`${say(UI.hint, lang)}: ${say(r.hint, lang)}`, o);
          }
        },
      };
    },
    beforeChecks: () => p.log.info(say(UI.checks, lang), o),
    check: (_ch, check) => {
      const title = say(check.title, lang);
      // a task log, not clack's spinner: the spinner puts stdin in raw mode and answers Ctrl-C with
      // process.exit(0) (@clack/core block()), which would skip saving progress and stopping port-forwards
      const log = p.taskLog({ ...o, title, limit: 4 });
      const attempts = collapseAttempts((l) => log.message(l));
      return {
        onAttempt: (a, n) => {
          if (!a.ok && n > 1) attempts.attempt(a.evidence, n);
        },
        done: (r) => {
          attempts.end();
          if (lab.showHow && r.manual?.length) p.log.message(r.manual.map((c) => (c.startsWith('#') ? c : `$ ${c}`)).join('\n'), o);
          if (r.status === 'passed') {
            log.success(`✔ ${title} — ${r.evidence}`);
            if (r.details) p.note(r.details, title, o);
          } else if (r.status !== 'failed' && r.status !== 'warned') {
            log.success(`${MARK[r.status]} ${title} — ${say(STATUS_WORDS[r.status], lang)}${punct(lang).colon}${r.evidence}`);
          } else {
            const line = `${MARK[r.status]} ${title} — ${r.evidence}`;
            if (r.status === 'warned') log.success(line);
            else log.error(line, { showLog: false });
            if (r.hint) p.log.warn(`${say(UI.hint, lang)}: ${say(r.hint, lang)}`, o);
          }
        },
      };
    },
    closeChapter: (ch) => {
      const state = session.chapterState(ch);
      p.outro(`${CHAPTER_MARK[state]} ${ch.number}. ${say(ch.title, lang)}${state === 'passed' ? '' : ` — ${say(STATUS_WORDS[state], lang)}`}`, o);
    },
    // one check at a time: each draws its own task log
    concurrency: 1,
  };
  return (await runChapters(chapters, session, hooks)) === 'stopped' ? 'stopped' : undefined;
}
