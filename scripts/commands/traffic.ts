import { WorkbookError, UsageError } from '../core/errors.js';
import type { ChapterContext } from '../core/model.js';
import { buildTrace, SHOP_TEMPLATES } from '../lab/traffic.js';
import { say } from '../core/text.js';
import { withLab, write, type CommandInput, type MainIo } from './kit.js';
import type { Lab } from '../core/model.js';
import type { Flags } from '../cli/options.js';

export interface TrafficOptions {
  count: number;
  rate: number;
  signal?: AbortSignal;
  log: (line: string) => void;
}

export function parseTrafficFlags(count?: string, rate?: string): { count: number; rate: number } {
  const c = count === undefined ? 60 : Number(count);
  const r = rate === undefined ? 2 : Number(rate);
  if (!Number.isInteger(c) || c < 0) throw new UsageError(`--count must be a whole number ≥ 0, not "${count}"`);
  if (!(r > 0 && r <= 1000)) throw new UsageError(`--rate must be a number of traces per second between 0 and 1000, not "${rate}"`);
  return { count: c, rate: r };
}

/** Send the templates in turn, at a steady rate, stamped "now" (the generator drops spans older than 30 s). */
export async function sendTraffic(ctx: ChapterContext, o: TrafficOptions): Promise<{ sent: number; failed: number; perTemplate: number[] }> {
  const base = await ctx.endpoint('otlp');
  const url = `${base.replace(/\/+$/, '')}/v1/traces`;
  const perTemplate = SHOP_TEMPLATES.map(() => 0);
  let sent = 0;
  let failed = 0;
  let last = '';
  o.log(say({ en: `sending the shop's templates to ${url} (${o.count || '∞'} traces, ${o.rate}/s)`, 'zh-TW': `正在送出商店模板到 ${url}（${o.count || '∞'} 筆，每秒 ${o.rate} 筆）` }, ctx.lab.lang));
  for (let i = 0; o.count === 0 || i < o.count; i++) {
    if (o.signal?.aborted) break;
    const t0 = ctx.clock.now();
    const { body } = buildTrace(i, t0);
    try {
      const res = await ctx.http.request(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), timeoutMs: 10_000 });
      if (res.status >= 200 && res.status < 300) {
        sent++;
        perTemplate[i % SHOP_TEMPLATES.length]!++;
      } else {
        failed++;
        last = `HTTP ${res.status} ${res.body.trim().slice(0, 100)}`;
      }
    } catch (err) {
      failed++;
      last = (err as Error).message;
    }
    if (sent === 0 && failed >= 3) throw new WorkbookError(`${url} refused every trace: ${last}`, { hint: { en: 'Is the distributor up with traces.otlp.http.enabled (chapter 3)?', 'zh-TW': 'distributor 是否已啟動並開啟 traces.otlp.http.enabled（第 3 章）？' } });
    if ((i + 1) % 10 === 0) o.log(`${sent} sent, ${failed} failed${last ? ` (last error: ${last})` : ''}`);
    const wait = 1000 / o.rate - (ctx.clock.now() - t0);
    if (wait > 0 && (o.count === 0 || i + 1 < o.count)) await ctx.clock.sleep(wait);
  }
  const per = SHOP_TEMPLATES.map((t, i) => `${t.id} ${perTemplate[i]}`).join(', ');
  o.log(`${sent} traces sent (${per}), ${failed} failed${last ? `; last error: ${last}` : ''}`);
  return { sent, failed, perTemplate };
}

async function traffic(lab: Lab, io: MainIo, flags: Flags): Promise<number> {
  const { count, rate } = parseTrafficFlags(flags.count, flags.rate);
  const { ProgressStore } = await import('../effects/progress.js');
  const r = await withLab(lab, io, await ProgressStore.open(lab.stateDir), (ctx) => sendTraffic(ctx, { count, rate, signal: io.signal, log: (l) => write(io.stdout, l) }));
  return r.failed ? 1 : 0;
}

export const run = ({ lab, io, flags }: CommandInput) => traffic(lab, io, flags);
