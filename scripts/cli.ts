#!/usr/bin/env node
import { main } from './main.js';
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
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    if (signalled) process.exit(130); // a second Ctrl-C: leave now
    signalled = true;
    // the running command sees the abort, stops probing and saves; if it does not settle soon, stop anyway
    controller.abort();
    process.stderr.write(`\n${sig === 'SIGINT' ? 'interrupted' : sig}: stopping port-forwards and saving progress…\n`);
    setTimeout(() => void runCleanups().finally(() => process.exit(130)), 5000).unref();
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
