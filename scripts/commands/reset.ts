import { CancelledError, UsageError, openStore, say, write, yesNo, type CommandInput, type MainIo } from './kit.js';
import type { Lab } from '../core/model.js';
import { COMMON, type CommandSpec } from '../cli/options.js';

/** Its usage, summary and flags: read by the parser and by `--help`. */
export const spec: CommandSpec = {
  name: 'reset',
  usage: 'reset',
  positional: 'none',
  flags: [...COMMON, 'yes'],
  summary: { en: 'forget progress (keeps a backup; touches no cluster)', 'zh-TW': '清除進度（保留備份，不動叢集）' },
};

async function reset(lab: Lab, io: MainIo): Promise<number> {
  const store = await openStore(lab, io);
  if (!lab.yes) {
    if (!lab.interactive) throw new UsageError({ en: 'reset forgets your progress: run again with --yes', 'zh-TW': 'reset 會清除你的進度：請加上 --yes 再執行一次' });
    const p = await import('@clack/prompts');
    const ok = await p.confirm({ input: io.stdin as never, output: io.stdout, message: say({ en: 'Forget all progress? (a backup is kept; no cluster is touched)', 'zh-TW': '要清除所有進度嗎？（會保留備份，不會動到叢集）' }, lab.lang), initialValue: false, ...yesNo(lab.lang) });
    if (ok !== true) throw new CancelledError();
  }
  const backup = await store.reset();
  write(io.stdout, say({ en: `Progress reset${backup ? `; the old file is kept as ${backup}` : ''}.`, 'zh-TW': `進度已重設${backup ? `；舊檔保留為 ${backup}` : ''}。` }, lab.lang));
  return 0;
}

export const run = ({ lab, io }: CommandInput) => reset(lab, io);
