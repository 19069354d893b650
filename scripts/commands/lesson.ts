import { lessonText, UsageError, write, type CommandInput } from './kit.js';
import { COMMON, type CommandSpec } from '../cli/options.js';
import { spawn } from 'node:child_process';
import { onPath } from '../effects/process.js';

/** Its usage, summary and flags: read by the parser and by `--help`. */
export const spec: CommandSpec = {
  name: 'lesson',
  usage: 'lesson <chapter>',
  positional: 'chapter',
  flags: [...COMMON],
  summary: { en: "print a chapter's lesson", 'zh-TW': '顯示章節課文' },
};

/** `workbook lesson <chapter>`: the lesson, rendered for the terminal. */
export async function run({ lab, io, positional }: CommandInput): Promise<number> {
  if (!positional) throw new UsageError({ en: 'which chapter? (usage: workbook lesson <chapter>)', 'zh-TW': '哪一章？（用法：workbook lesson <章節>）' });
  const { findChapter } = await import('../core/catalog.js');
  const text = await lessonText(findChapter(positional), lab, io.stdout);
  // longer than the screen, in a terminal: the system pager (PAGER, else less, else more), as git and man do
  const rows = (io.stdout as NodeJS.WriteStream).rows || 0;
  const pager = io.stdout.isTTY && !lab.ci && rows && text.split('\n').length > rows - 1 ? pagerOf(io.env) : undefined;
  if (pager && (await page(pager, text, io.env))) return 0;
  write(io.stdout, text);
  return 0;
}

/** The pager to use: $PAGER (a command line), else less or more from PATH; none: print. */
function pagerOf(env: NodeJS.ProcessEnv): string[] | undefined {
  if (env.PAGER !== undefined) return env.PAGER.trim() && env.PAGER.trim() !== 'cat' ? ['sh', '-c', env.PAGER] : undefined;
  for (const [name, ...args] of [['less', '-R', '-F', '-X'], ['more']]) {
    if (onPath(name!, env)) return [name!, ...args];
  }
  return undefined;
}

/** Pipe the text through the pager on this terminal; false when it could not be started or failed (the text is printed instead). */
function page(argv: string[], text: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'inherit', 'inherit'], env: { LESS: 'FRX', ...env } });
    child.on('error', () => resolve(false));
    // a pager that fails (PAGER=false, a typo in PAGER) showed nothing: the lesson is printed instead
    child.on('exit', (code) => resolve(code === 0));
    child.stdin!.on('error', () => {}); // the learner quit before the end: not an error
    child.stdin!.end(text);
  });
}
