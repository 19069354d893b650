import { existsSync } from 'node:fs';
import { ROOT } from '../core/paths.js';
import type { RunOptions, Shell, ShellResult } from '../core/effects.js';
import type { Command } from '../core/model.js';

/**
 * The real shell port: zx runs each argv (every element quoted), from the repository root so manifest paths
 * stay repo-relative. zx is imported on first use so `--help` does not pay for it.
 */
export function zxShell(env: NodeJS.ProcessEnv = process.env): Shell {
  let zx: typeof import('zx') | undefined;
  const load = async () => (zx ??= await import('zx'));
  return {
    async run(cmd: Command, options: RunOptions = {}): Promise<ShellResult> {
      const { $ } = await load();
      const shell = existsSync('/bin/bash') ? '/bin/bash' : true;
      const p = $({
        cwd: ROOT,
        env,
        shell,
        nothrow: true,
        quiet: true,
        verbose: false,
        input: cmd.input,
        timeout: cmd.timeoutMs,
        signal: options.signal,
      })`${cmd.argv}`;
      if (options.onLine) {
        const onLine = options.onLine;
        let buf = '';
        const feed = (chunk: Buffer | string) => {
          buf += chunk.toString();
          let i: number;
          while ((i = buf.indexOf('\n')) >= 0) {
            onLine(buf.slice(0, i));
            buf = buf.slice(i + 1);
          }
        };
        p.stdout.on('data', feed);
        p.stderr.on('data', feed);
        p.finally(() => buf && onLine(buf)).catch(() => {});
      }
      try {
        const out = await p;
        return { exitCode: out.exitCode ?? 1, stdout: out.stdout, stderr: out.stderr };
      } catch (err) {
        // spawn failures (e.g. a tool that vanished from PATH) reject even with nothrow
        return { exitCode: 127, stdout: '', stderr: (err as Error).message };
      }
    },
    async which(tool: string) {
      const { which } = await load();
      return (await which(tool, { nothrow: true, path: env.PATH })) ?? undefined;
    },
  };
}
