import { UsageError, heartbeatMs, say, withLab, write, type CommandInput, type MainIo } from './kit.js';
import type { Lab } from '../core/model.js';
import { COMMON, type CommandSpec } from '../cli/options.js';
import { ENDPOINTS, OPEN_TARGETS, urlFlag } from '../core/endpoints.js';

/** Its usage, summary and flags: read by the parser and by `--help`. */
export const spec: CommandSpec = {
  name: 'open',
  usage: `open <${OPEN_TARGETS.join('|')}>`,
  positional: 'endpoint',
  flags: [...COMMON, ...OPEN_TARGETS.map((t) => urlFlag(ENDPOINTS[t].url!)), 'show-secrets'],
  summary: { en: 'port-forward Grafana (or Prometheus, Tempo) to 127.0.0.1 and keep it open until Ctrl-C', 'zh-TW': '把 Grafana（或 Prometheus、Tempo）port-forward 到 127.0.0.1，直到按下 Ctrl-C' },
};

async function open(lab: Lab, io: MainIo, target: string | undefined): Promise<number> {
  const { OPEN_TARGETS } = await import('../core/endpoints.js');
  const name = OPEN_TARGETS.find((t) => t === target);
  if (!name) throw new UsageError({ en: `open what? (usage: workbook open <${OPEN_TARGETS.join('|')}>)`, 'zh-TW': `要開啟什麼？（用法：workbook open <${OPEN_TARGETS.join('|')}>）` });
  const { ProgressStore } = await import('../effects/progress.js');
  const t = (en: string, zh: string) => say({ en, 'zh-TW': zh }, lab.lang);
  return withLab(lab, io, await ProgressStore.open(lab.stateDir), async (ctx) => {
    // a port-forward can take a while (pods starting): say so every few seconds until it answers
    const { ENDPOINTS } = await import('../core/endpoints.js');
    const target = ENDPOINTS[name].forward(lab);
    const started = Date.now();
    const every = heartbeatMs(io.env) ?? 5000;
    const waiting = lab.urls[name as keyof typeof lab.urls]
      ? undefined
      : setInterval(() => write(io.stderr, t(`… waiting for the port-forward to ${target.resource} in ${target.namespace} (${Math.round((Date.now() - started) / 1000)} s)`, `… 正在等待到 ${target.namespace} 中 ${target.resource} 的 port-forward（${Math.round((Date.now() - started) / 1000)} 秒）`)), every);
    let url: string;
    try {
      url = await ctx.endpoint(name);
    } finally {
      if (waiting) clearInterval(waiting);
    }
    let login = '';
    if (name === 'grafana') {
      const { grafanaCredentials, describeCredentials } = await import('../lab/grafana.js');
      login = ` — ${t('user', '帳號')} ${describeCredentials(ctx, await grafanaCredentials(ctx))}`;
    }
    write(io.stdout, `${name}: ${url}${login}`);
    if (lab.urls[name as keyof typeof lab.urls]) return 0; // an explicit URL: nothing to keep open
    write(io.stdout, t('The port-forward stays open until you press Ctrl-C.', '按下 Ctrl-C 之前，port-forward 會一直保持開啟。'));
    await new Promise<void>((resolve) => {
      if (io.signal?.aborted) return resolve();
      io.signal?.addEventListener('abort', () => resolve(), { once: true });
    });
    return 0;
  });
}

export const run = ({ lab, io, positional }: CommandInput) => open(lab, io, positional);
