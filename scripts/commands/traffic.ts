import { UsageError } from '../core/errors.js';
import { COMMON, type CommandSpec, type Flags } from '../cli/options.js';
import { withLab, write, type CommandInput, type MainIo } from './kit.js';
import type { Lab } from '../core/model.js';

/** Its usage, summary and flags: read by the parser and by `--help`. */
export const spec: CommandSpec = {
  name: 'traffic',
  usage: 'traffic',
  positional: 'none',
  flags: [...COMMON, 'otlp-url'],
  own: {
    count: { type: 'string', value: 'N', help: { en: 'how many traces (0 = until Ctrl-C; default 60)', 'zh-TW': '要送幾筆追蹤（0 表示直到 Ctrl-C；預設 60）' } },
    rate: { type: 'string', value: 'PER_SECOND', help: { en: 'traces per second (default 2)', 'zh-TW': '每秒送出的追蹤數（預設 2）' } },
  },
  summary: { en: "send the article's three trace templates over OTLP/HTTP (when the xk6 image cannot be pulled)", 'zh-TW': '以 OTLP/HTTP 送出文章的三種追蹤模板（無法拉取 xk6 映像檔時使用）' },
};

export function parseTrafficFlags(count?: string, rate?: string): { count: number; rate: number } {
  const c = count === undefined ? 60 : Number(count);
  const r = rate === undefined ? 2 : Number(rate);
  if (!Number.isInteger(c) || c < 0) throw new UsageError(`--count must be a whole number ≥ 0, not "${count}"`);
  if (!(r > 0 && r <= 1000)) throw new UsageError(`--rate must be a number of traces per second greater than 0 and at most 1000, not "${rate}"`);
  return { count: c, rate: r };
}

async function traffic(lab: Lab, io: MainIo, flags: Flags): Promise<number> {
  const { count, rate } = parseTrafficFlags(flags.count as string | undefined, flags.rate as string | undefined);
  const { ProgressStore } = await import('../effects/progress.js');
  const { sendTraffic } = await import('../lab/traffic.js');
  const r = await withLab(lab, io, await ProgressStore.open(lab.stateDir), (ctx) => sendTraffic(ctx, { count, rate, signal: io.signal, log: (l) => write(io.stdout, l) }));
  return r.failed ? 1 : 0;
}

export const run = ({ lab, io, flags }: CommandInput) => traffic(lab, io, flags);
