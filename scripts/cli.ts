#!/usr/bin/env node
import { earlyLang, type Lang } from './core/text.js';

const cleanups: (() => Promise<void> | void)[] = [];
const controller = new AbortController();

async function runCleanups(): Promise<void> {
  for (const fn of cleanups.splice(0).reverse()) {
    try {
      await fn();
    } catch (err) {
      process.stderr.write(`warning: cleanup failed: ${(err as Error).message}\n`);
    }
  }
}

let signalled = false;

/**
 * A reader that goes away (`workbook doctor | head -1`): stop quietly, as other CLIs do. The run is aborted like a
 * Ctrl-C, so running chapters are settled as interrupted and port-forwards stopped; exit 141 (128 + SIGPIPE).
 */
let pipeClosed = false;
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    if (pipeClosed) return;
    pipeClosed = true;
    controller.abort();
    setTimeout(() => void runCleanups().finally(() => process.exit(141)), 5000).unref();
  });
}
/** How long a command may take to settle after SIGINT/SIGTERM/SIGHUP (its cleanups run within it). */
const STOP_WITHIN_MS = 1500;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    if (signalled) process.exit(130); // a second Ctrl-C: leave now
    signalled = true;
    // the running command sees the abort, stops probing and saves; if it does not settle soon, stop anyway
    controller.abort();
    process.stderr.write(`\n${sig === 'SIGINT' ? 'interrupted' : sig}: stopping port-forwards and saving progress…\n`);
    // every command ends within 2 s of the signal: what has not settled by then is cleaned up and left
    setTimeout(() => void runCleanups().finally(() => process.exit(130)), STOP_WITHIN_MS).unref();
  });
}

/** The language for a last message: --lang, then the settings' environment, then the locale. */
function cliLang(): Lang {
  const args = process.argv.slice(2);
  const i = args.findIndex((a) => a === '--lang' || a.startsWith('--lang='));
  const flag = i < 0 ? undefined : args[i]!.includes('=') ? args[i]!.split('=')[1] : args[i + 1];
  return earlyLang(flag ?? process.env.WORKBOOK_LANG, process.env);
}

const REPORT = 'https://github.com/tempo-workbook/tempo-workbook/issues';

/**
 * Leave with a code once what was written has reached the reader: process.exit() alone drops the part of a long
 * message still queued for a pipe (stderr was cut at 64 KiB). A reader that went away does not hold us.
 */
async function exit(code: number): Promise<never> {
  const flushed = (s: NodeJS.WriteStream) => new Promise<void>((resolve) => (s.writableLength === 0 || s.destroyed ? resolve() : s.write('', () => resolve())));
  if (!pipeClosed) await Promise.race([Promise.all([flushed(process.stdout), flushed(process.stderr)]), new Promise((r) => setTimeout(r, 5000).unref())]);
  process.exit(code);
}

/**
 * `--help` (alone, or after one command, with --lang at most): printed from the build's cache of the rendered text,
 * so no command table is loaded (scripts/commands/help-cache.ts). Anything else, or a missing or stale cache: main.
 */
async function helpFromCache(args: string[]): Promise<boolean> {
  const rest = [...args];
  const lang = cliLang();
  for (let i = rest.length - 1; i >= 0; i--) {
    if (rest[i] === '--lang') rest.splice(i, 2);
    else if (rest[i]!.startsWith('--lang=')) rest.splice(i, 1);
  }
  const help = rest.filter((a) => a === '--help' || a === '-h');
  const words = rest.filter((a) => a !== '--help' && a !== '-h');
  if (help.length !== 1 || words.length > 1 || words.some((w) => w.startsWith('-'))) return false;
  try {
    const { readFileSync, readdirSync } = await import('node:fs');
    const cache = JSON.parse(readFileSync(new URL('../help.json', import.meta.url), 'utf8')) as { chapters: string[]; text: Record<Lang, { main: string; commands: Record<string, string> }> };
    // the chapters' folders now, as chapter-folders.ts reads them (a new folder makes the cache stale)
    const folders = readdirSync(new URL('../../chapters/', import.meta.url), { withFileTypes: true }).filter((e) => e.isDirectory() && /^\d{2}-/.test(e.name)).map((e) => e.name).sort();
    if (folders.join() !== cache.chapters.join()) return false;
    const t = words.length ? cache.text[lang].commands[words[0]!] : cache.text[lang].main;
    if (t === undefined) return false;
    process.stdout.write(t.endsWith('\n') ? t : `${t}\n`);
    return true;
  } catch {
    return false;
  }
}

const fromCache = await helpFromCache(process.argv.slice(2));
if (fromCache) await exit(0);
const { main } = await import('./main.js');

main(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  signal: controller.signal,
  onCleanup: (fn) => cleanups.push(fn),
})
  .then(async (code) => {
    await runCleanups();
    // interrupted work that did not finish is a cancellation; a command that ends on Ctrl-C (open) succeeded
    await exit(pipeClosed ? 141 : signalled && code !== 0 ? 130 : code);
  })
  .catch(async (err: unknown) => {
    await runCleanups();
    if (pipeClosed) await exit(141);
    const e = err as Error & { exitCode?: number };
    if (e?.name === 'DeclinedError') {
      process.stdout.write(`${e.message}\n`);
      await exit(0);
    }
    if (typeof e?.exitCode === 'number' && ['UsageError', 'WorkbookError', 'CancelledError'].includes(e.name)) {
      const text = (e as { text?: Record<Lang, string> }).text;
      process.stderr.write(`${cliLang() === 'zh-TW' ? '錯誤' : 'error'}: ${text ? text[cliLang()] : e.message}\n`);
      const hint = (e as { hint?: Record<Lang, string> }).hint;
      if (hint) process.stderr.write(`${cliLang() === 'zh-TW' ? '提示' : 'hint'}: ${hint[cliLang()]}\n`);
      await exit(e.exitCode);
    }
    process.stderr.write(`internal error: ${e?.message ?? String(err)}\n(this is a bug in the workbook: please report it at ${REPORT} with \`workbook --version\`, node ${process.version}, ${process.platform})\n`);
    if (process.env.WORKBOOK_DEBUG) process.stderr.write(`${e?.stack ?? ''}\n`);
    await exit(70);
  });
