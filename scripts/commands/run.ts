import { UsageError, execute, finish, openStore, preflightReports, say, withLab, write, type CommandInput, type MainIo } from './kit.js';
import { COMMON, ENDPOINT_FLAGS, type CommandSpec, type Flags } from '../cli/options.js';
import type { Lab } from '../core/model.js';

/** Its usage, summary and flags: read by the parser and by `--help`. */
export const spec: CommandSpec = {
  name: 'run',
  usage: 'run [chapter|all]',
  positional: 'chapter-or-all',
  flags: [...COMMON, ...ENDPOINT_FLAGS, 'yes', 'show-secrets', 'json', 'junit', 'fast', 'show-how'],
  summary: { en: 'read a chapter, run its commands, then verify it (default: where you left off)', 'zh-TW': '閱讀章節、執行指令並驗證（預設從上次停下的地方繼續）' },
};

/** `workbook run [chapter|all] [--fast]`: a chapter's lesson, its commands, then its checks (default: where you left off). */
export async function run({ lab, io, flags, positional }: CommandInput): Promise<number> {
  if (flags.fast) {
    if (positional !== 'all') throw new UsageError('--fast runs the whole lab: use `workbook run all --fast`');
    return executeFast(lab, io, flags);
  }
  const { selectChapters } = await import('../core/catalog.js');
  if (positional) return execute(selectChapters(positional), 'run', lab, io, flags);
  const { ProgressStore } = await import('../effects/progress.js');
  const { nextChapter } = await import('../ui/status.js');
  const next = nextChapter((await ProgressStore.open(lab.stateDir)).data, lab);
  if (!next) {
    write(io.stdout, say({ en: 'Every chapter has passed. Run one again with `workbook run <chapter>`.', 'zh-TW': '所有章節都已通過。可用 `workbook run <章節>` 重新執行。' }, lab.lang));
    return 0;
  }
  return execute([next], 'run', lab, io, flags);
}

async function executeFast(lab: Lab, io: MainIo, flags: Flags): Promise<number> {
  await preflightReports(io, flags);
  const store = await openStore(lab, io);
  const { Session } = await import('../core/session.js');
  const { FAST_PLAN, runFast, renderFastEvent, criticalPath } = await import('../cli/fast.js');
  const { formatDuration } = await import('../core/format.js');
  const { session, r } = await withLab(lab, io, store, async (ctx) => {
    const session = new Session(ctx, store, 'run', io.signal);
    const r = await runFast(FAST_PLAN, session, { log: (e) => write(io.stdout, renderFastEvent(e)), signal: io.signal });
    return { session, r };
  });
  const { selectChapters } = await import('../core/catalog.js');
  await finish(session, selectChapters('all'), io, flags);
  const measured = criticalPath(FAST_PLAN.filter((j) => j.id in r.jobMs), r.jobMs);
  const t = (en: string, zh: string) => say({ en, 'zh-TW': zh }, lab.lang);
  write(io.stdout, t(`Wall time with --fast: ${formatDuration(r.wallMs)}; the same jobs one after another: ${formatDuration(measured.sequentialMs)}.`, `使用 --fast 的實際耗時：${formatDuration(r.wallMs)}；同樣的工作依序執行需要：${formatDuration(measured.sequentialMs)}。`));
  write(io.stdout, t(`Critical path: ${measured.path.join(' → ')}`, `關鍵路徑：${measured.path.join(' → ')}`));
  if (r.skipped.length) write(io.stdout, t(`Skipped after a failure: ${r.skipped.join(', ')}`, `因前面失敗而略過：${r.skipped.join(', ')}`));
  return r.failed.length || r.skipped.length || !session.passed(selectChapters('all')) ? 1 : 0;
}

