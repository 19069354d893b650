// "Check it yourself": every request a check made, as a command a learner can paste. The checks' own HTTP and
// shell calls are recorded while they probe (so the commands are exactly what was asked, never a second copy that
// could drift), then written as `curl` (queries spelled out with --data-urlencode) or the tool's own command line.
// Secrets never appear: an Authorization header becomes the learner's own variables.
import type { Command, LabContext } from './model.js';
import type { HttpRequest } from './effects.js';
import { formatCommand, shellQuote } from './format.js';

export type Made = { kind: 'http'; url: string; init?: HttpRequest; /** when it was asked (ms): its times are said relative to it */ at?: number } | { kind: 'shell'; argv: string[] };

/** A context whose HTTP and shell calls are also written into `made` (the probe sees no difference). */
export function recording(ctx: LabContext, made: Made[]): LabContext {
  return {
    ...ctx,
    http: {
      request(url, init) {
        made.push({ kind: 'http', url, ...(init ? { init } : {}), at: ctx.clock.now() });
        return ctx.http.request(url, init);
      },
    },
    shell: {
      ...ctx.shell,
      run(cmd: Command, o) {
        made.push({ kind: 'shell', argv: cmd.argv });
        return ctx.shell.run(cmd, o);
      },
      which: (tool) => ctx.shell.which(tool),
    },
  };
}

/**
 * A time parameter (start, end, time: Unix seconds within two days of the check) as a shell expression relative to
 * when the command is pasted, so it does not go stale: "start=$(( $(date +%s) - 120 ))". Anything else as it was.
 */
function param(k: string, v: string, nowS: number | undefined): string {
  const t = Number(v);
  if (nowS === undefined || !/^(start|end|time)$/.test(k) || !/^\d{9,10}(\.\d+)?$/.test(v) || Math.abs(nowS - t) > 2 * 86_400) return shellQuote(`${k}=${v}`);
  const ago = Math.round(nowS - t);
  return ago === 0 ? `"${k}=$(date +%s)"` : `"${k}=$(( $(date +%s) ${ago > 0 ? '-' : '+'} ${Math.abs(ago)} ))"`;
}

/** One request as curl: the query string spelled out, one parameter a line is not needed (they are short). */
export function curlOf(url: string, init: HttpRequest = {}, nowS?: number): string {
  const u = new URL(url);
  const parts = ['curl', '-s'];
  const method = init.method ?? 'GET';
  const params = [...u.searchParams.entries()];
  if (method === 'GET' && params.length) parts.push('-G');
  if (method !== 'GET') parts.push('-X', method);
  for (const [k, v] of Object.entries(init.headers ?? {})) {
    if (/^authorization$/i.test(k)) parts.push('-u', '"$WORKBOOK_GRAFANA_USER:$WORKBOOK_GRAFANA_PASSWORD"');
    else if (!/^content-length$/i.test(k)) parts.push('-H', shellQuote(`${k}: ${v}`));
  }
  if (init.body !== undefined) parts.push('--data', shellQuote(init.body));
  u.search = '';
  parts.push(shellQuote(u.toString()));
  if (method === 'GET') for (const [k, v] of params) parts.push('--data-urlencode', param(k, v, nowS));
  return parts.join(' ');
}

/** At most this many commands a check (a check that follows sixty exemplars shows the first few, and how many more). */
export const MANUAL_MAX = 6;

/** The commands of one attempt, in order, each once. */
export function manualOf(made: Made[]): string[] {
  const all = made.map((m) => (m.kind === 'http' ? curlOf(m.url, m.init, m.at === undefined ? undefined : m.at / 1000) : formatCommand(m.argv)));
  const unique = [...new Set(all)];
  if (unique.length <= MANUAL_MAX) return unique;
  return [...unique.slice(0, MANUAL_MAX), `# … and ${unique.length - MANUAL_MAX} more like these`];
}
