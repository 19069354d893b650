import { CancelledError, UsageError, WorkbookError } from './core/errors.js';
import { parseCli, type Flags } from './cli/options.js';
import { COMMANDS, SPECS, menu } from './commands/index.js';
import { commandHelp, mainHelp } from './cli/help.js';
import { earlyLang, type Lang } from './core/text.js';
import type { MainIo } from './commands/kit.js';

const write = (s: NodeJS.WritableStream, text: string) => s.write(text.endsWith('\n') ? text : text + '\n');

const helpLang = (flags: Flags, env: NodeJS.ProcessEnv): Lang => earlyLang(flags.lang ?? env.WORKBOOK_LANG, env);

/** Returns the exit code; only the entry file calls process.exit. */
export async function main(argv: string[], io: MainIo): Promise<number> {
  const parsed = parseCli(argv, SPECS);
  const { command, flags } = parsed;
  if (flags.version && !command) {
    const { packageVersion } = await import('./core/paths.js');
    write(io.stdout, packageVersion());
    return 0;
  }
  if (flags.help) {
    const spec = SPECS.find((c) => c.name === command);
    write(io.stdout, spec ? commandHelp(spec, helpLang(flags, io.env)) : mainHelp(SPECS, helpLang(flags, io.env)));
    return 0;
  }

  const { resolveLab } = await import('./cli/settings.js');
  const trace: string[] = [];
  const lab = resolveLab(flags, { env: io.env, cwd: io.cwd, stdinIsTTY: !!io.stdin.isTTY, stdoutIsTTY: !!io.stdout.isTTY }, trace);
  if (io.env.WORKBOOK_DEBUG) for (const t of trace) write(io.stderr, `debug: ${t}`);

  if (command === undefined && !lab.interactive) {
    write(io.stderr, mainHelp(SPECS, lab.lang));
    write(io.stderr, 'error: no command given, and this is not an interactive terminal (try: workbook plan all)');
    return 2;
  }
  const cmd = command === undefined ? await menu() : COMMANDS.find((c) => c.spec.name === command);
  if (!cmd) throw new UsageError(`unknown command "${command}"`);
  return cmd.run({ lab, io, flags, positional: parsed.positional, positionals: parsed.positionals });
}

export { UsageError, WorkbookError, CancelledError };
export type { MainIo };
