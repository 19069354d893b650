/** Quote one argument the way a POSIX shell would need it, so a shown command can be pasted as is. */
export function shellQuote(arg: string): string {
  if (arg === '') return "''";
  if (/^[\w@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function formatCommand(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

/** A step's command as the learner would type it. */
export function showCommand(cmd: { argv: readonly string[]; shown?: readonly string[] }): string {
  return formatCommand(cmd.shown ?? cmd.argv);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

/** "90", "90s", "5m", "1500ms" → ms; undefined when it is not a duration. */
export function parseDuration(value: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const ms = unit === 'ms' ? n : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n * 3_600_000;
  return ms > 0 ? Math.round(ms) : undefined;
}

/** Last non-empty lines of a tool's output, folded to one line, for a one-line error. */
export function lastLines(text: string, n = 2): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-n)
    .join(' | ');
}

/**
 * Attempts of a re-probing check, as lines: a new line only when the evidence changes; a run of identical
 * attempts becomes one line with its count ("attempts 2–180: the same (×179)") when it ends.
 */
export function collapseAttempts(emit: (line: string) => void): { attempt(evidence: string, n: number): void; end(): void } {
  let last: string | undefined;
  let first = 0;
  let latest = 0;
  const flush = () => {
    if (last !== undefined && latest > first) emit(`attempts ${first}–${latest}: the same (×${latest - first + 1})`);
  };
  return {
    attempt(evidence, n) {
      if (evidence === last) {
        latest = n;
        return;
      }
      flush();
      last = evidence;
      first = latest = n;
      emit(`attempt ${n}: ${evidence}`);
    },
    end: flush,
  };
}

/**
 * Text from the outside (a 500 body, a tool's output) before it reaches a report or the terminal: ANSI escape
 * sequences and control characters out (they make JUnit invalid XML and can drive the terminal); \n and \t stay.
 */
export function printable(s: string): string {
  return s
    .replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, '')
    .replace(/\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g, '')
    .replace(/\x1b[@-_]/g, '')
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f]/g, '');
}
