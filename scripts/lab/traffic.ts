/**
 * The article's shop traffic as OTLP/JSON, for when the xk6-client-tracing image cannot run. It does what
 * xk6-client-tracing v0.0.2 does with the templates of scripts/lab/shop.ts
 * (grafana/xk6-client-tracing@v0.0.2:pkg/tracegen/templated.go, pkg/random/random.go):
 * - kinds from the template's shape (shop.spanKinds); resource attributes `k6=true` and `service.name`; scope `k6`;
 * - the root starts 5 s ago and lasts its template duration (default 500–800 ms); a child starts 5–10 % into its
 *   parent and lasts its template duration or 50–90 % of the parent's;
 * - HTTP semantics on SERVER spans: a random method, the span's own http.status_code or a random success status
 *   (200/201/202/204), url/scheme/target, response (and for POST/PUT/PATCH request) content length; status ERROR
 *   only at >= 500; the CLIENT parent copies method/status/url and is ERROR when the status is >= 400;
 * - network attributes on every non-INTERNAL span; random attributes: per trace from the template's defaults
 *   (keys "k6." + 15 characters, `cardinality` values of 30 characters), per span from the span's own;
 * - with a profile whose generator is v0.0.8 or later, the HTTP attributes by their stable names
 *   (http.request.method, http.response.status_code, url.*; shop.httpNamesOf) and network.protocol.* for
 *   http.flavor: the names checks and exercises read. v0.0.10's other additions (content-type headers, events,
 *   resource attributes) are not made.
 * Random choices come from `rng`, so tests can fix them.
 */
import { errorSpans, fixedStatus, HTTP_NAMES_V0_0_2, httpNamesOf, parentOf, semanticsOf, SHOP_TEMPLATES, spanKinds, type HttpNames, type Kind } from './shop.js';
import { WorkbookError } from '../core/errors.js';
import type { LabContext } from '../core/model.js';
import { say } from '../core/text.js';

export type Rng = () => number;

/** A small deterministic generator for tests (mulberry32). */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// pkg/random/random.go at v0.0.2
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export const HTTP_STATUSES_SUCCESS = [200, 201, 202, 204];
const HTTP_METHODS = ['GET', 'DELETE', 'POST', 'PUT', 'PATCH'];
export const OPERATIONS = ['get', 'list', 'query', 'search', 'set', 'add', 'create', 'update', 'send', 'remove', 'delete'];
export const RESOURCES = ['order', 'payment', 'customer', 'product', 'stock', 'inventory', 'shipping', 'billing', 'checkout', 'cart', 'search', 'analytics'];

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
const between = (rng: Rng, min: number, max: number) => min + Math.floor(rng() * (max - min));
const str = (rng: Rng, n: number) => Array.from({ length: n }, () => pick(rng, LETTERS.split(''))).join('');
const hex = (rng: Rng, bytes: number) => Array.from({ length: bytes }, () => Math.floor(rng() * 256).toString(16).padStart(2, '0')).join('');

/** OTLP span kinds (opentelemetry-proto): 1 INTERNAL, 2 SERVER, 3 CLIENT. */
export const KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3 } as const;
/** OTLP status codes: 2 ERROR. */
const STATUS_ERROR = 2;
const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error', 502: 'Bad Gateway' };

type Val = string | number;
type OtlpValue = { stringValue: string } | { intValue: string };
const otlp = (v: Val): OtlpValue => (typeof v === 'number' ? { intValue: String(v) } : { stringValue: v });

function randomAttributes(rng: Rng, p?: { count: number; cardinality?: number }): Map<string, Val[]> {
  const out = new Map<string, Val[]>();
  for (let i = 0; p && i < p.count; i++) out.set(`k6.${str(rng, 15)}`, Array.from({ length: p.cardinality ?? 20 }, () => str(rng, 30)));
  return out;
}

/** One trace of a template as an OTLP/JSON ExportTraceServiceRequest; `nowMs` is the generator's time.Now(). */
export function buildTrace(templateIndex: number, nowMs: number, rng: Rng = Math.random, http: HttpNames = HTTP_NAMES_V0_0_2): { traceId: string; body: unknown } {
  const tpl = SHOP_TEMPLATES[templateIndex % SHOP_TEMPLATES.length]!;
  const kinds = spanKinds(tpl);
  const errors = errorSpans(tpl);
  const traceId = hex(rng, 16);
  // per generator (the article's script makes a new one per iteration): hosts, ports, random attributes
  const services = [...new Set(tpl.spans.map((s) => s.service))];
  const hosts = new Map(services.map((s) => [s, { ip: `192.168.${between(rng, 0, 255)}.${between(rng, 0, 255)}`, port: between(rng, 8000, 9000) }]));
  const traceRandom = randomAttributes(rng, tpl.defaults.randomAttributes);
  const names = tpl.spans.map((s) => s.name ?? `${pick(rng, OPERATIONS)}-${pick(rng, RESOURCES)}`);
  const spanRandom = tpl.spans.map((s) => randomAttributes(rng, s.randomAttributes));
  const traceValues = new Map([...traceRandom].map(([k, v]) => [k, pick(rng, v)]));

  const attrs: Map<string, Val>[] = [];
  const start: number[] = [];
  const end: number[] = [];
  const ids: string[] = [];
  tpl.spans.forEach((s, i) => {
    const p = parentOf(tpl, i);
    ids[i] = hex(rng, 8);
    const range = (min: number, max: number) => min + rng() * (max - min);
    if (p < 0) {
      start[i] = nowMs - 5000;
      end[i] = start[i]! + (s.duration ? range(s.duration.min, s.duration.max) : range(500, 800));
    } else {
      const pd = end[p]! - start[p]!;
      start[i] = start[p]! + range(pd / 20, pd / 10);
      end[i] = start[i]! + (s.duration ? range(s.duration.min, s.duration.max) : range(pd / 2, pd - pd / 10));
    }
    // the template's own attributes, said with the generator's names (a fixed status is http.response.status_code since v0.0.8)
    const a = new Map<string, Val>(Object.entries({ ...tpl.defaults.attributes, ...s.attributes }).map(([k, v]) => [k === HTTP_NAMES_V0_0_2.status ? http.status : k, v]));
    for (const [k, v] of spanRandom[i]!) a.set(k, pick(rng, v));
    const put = (m: Map<string, Val>, k: string, v: Val) => !m.has(k) && m.set(k, v);
    const kind = kinds[i]!;
    const host = hosts.get(s.service)!;
    if (kind !== 'INTERNAL') {
      put(a, 'net.transport', 'ip_tcp');
      put(a, 'net.sock.family', 'inet');
      if (kind === 'CLIENT') put(a, 'net.peer.port', between(rng, 8000, 9000));
      if (kind === 'SERVER') {
        put(a, 'net.sock.host.addr', host.ip);
        put(a, 'net.host.name', `${s.service}.local`);
        put(a, 'net.host.port', host.port);
        if (p >= 0 && kinds[p] === 'CLIENT') {
          put(attrs[p]!, 'net.sock.peer.addr', host.ip);
          put(attrs[p]!, 'net.peer.name', `${s.service}.local`);
        }
      }
      if (semanticsOf(tpl, i) === 'http') {
        if (http === HTTP_NAMES_V0_0_2) put(a, 'http.flavor', '1.1');
        else {
          put(a, 'network.protocol.name', 'http');
          put(a, 'network.protocol.version', '1.1');
        }
        if (kind === 'SERVER') {
          const parent = p >= 0 ? attrs[p]! : new Map<string, Val>();
          const method = String(a.get(http.method) ?? parent.get(http.method) ?? pick(rng, HTTP_METHODS));
          a.set(http.method, method);
          const inherited = parent.get(http.status);
          const code = fixedStatus(tpl, i) ?? (inherited !== undefined ? Number(inherited) : pick(rng, HTTP_STATUSES_SUCCESS));
          a.set(http.status, code);
          const url = String(a.get(http.url) ?? parent.get(http.url) ?? `https://${s.service}.local:${host.port}/${names[i]}`);
          a.set(http.url, url);
          const u = new URL(url);
          a.set(http.scheme, u.protocol.replace(':', ''));
          a.set(http.target, u.pathname);
          put(a, 'http.response_content_length', between(rng, 100_000, 1_000_000));
          if (['PATCH', 'POST', 'PUT'].includes(method)) put(a, 'http.request_content_length', between(rng, 10_000, 100_000));
          if (p >= 0 && kinds[p] === 'CLIENT') {
            put(attrs[p]!, http.method, method);
            put(attrs[p]!, http.status, code);
            put(attrs[p]!, http.url, url);
            put(attrs[p]!, 'http.response_content_length', a.get('http.response_content_length')!);
          }
        }
      }
    }
    for (const [k, v] of traceValues) put(a, k, v);
    attrs[i] = a;
  });

  const ns = (ms: number) => String(BigInt(Math.round(ms * 1000)) * 1000n);
  const kindNumber = (k: Kind) => KIND[k];
  const statusOf = (i: number) => {
    if (!errors.has(i)) return {};
    const code = Number(kinds[i] === 'CLIENT' ? attrs[i]!.get(http.status) : fixedStatus(tpl, i));
    return { code: STATUS_ERROR, message: STATUS_TEXT[code] ?? '' };
  };
  const body = {
    resourceSpans: services.map((service) => ({
      resource: { attributes: [{ key: 'k6', value: otlp('true') }, { key: 'service.name', value: otlp(service) }] },
      scopeSpans: [
        {
          scope: { name: 'k6' },
          spans: tpl.spans.flatMap((s, i) =>
            s.service !== service
              ? []
              : [
                  {
                    traceId,
                    spanId: ids[i],
                    ...(parentOf(tpl, i) >= 0 ? { parentSpanId: ids[parentOf(tpl, i)] } : {}),
                    name: names[i],
                    kind: kindNumber(kinds[i]!),
                    startTimeUnixNano: ns(start[i]!),
                    endTimeUnixNano: ns(end[i]!),
                    attributes: [...attrs[i]!].map(([key, v]) => ({ key, value: otlp(v) })),
                    status: statusOf(i),
                  },
                ],
          ),
        },
      ],
    })),
  };
  return { traceId, body };
}

export { SHOP_TEMPLATES };

export interface TrafficOptions {
  count: number;
  rate: number;
  signal?: AbortSignal;
  log: (line: string) => void;
}

/**
 * An OTLP/HTTP receiver answers a JSON export with a JSON ExportTraceServiceResponse ("{}" or a partialSuccess;
 * opentelemetry-proto@v0.19.0 opentelemetry/proto/collector/trace/v1/trace_service.proto, the version Tempo 2.2.2
 * vendors): a 2xx with an HTML page or plain text is another server, and nothing was delivered.
 */
export function notAnOtlpAnswer(res: { headers: Record<string, string>; body: string }): string | undefined {
  const type = res.headers['content-type'] ?? '';
  const body = res.body.trim();
  if (/json/.test(type) || /protobuf/.test(type)) {
    if (!body || /protobuf/.test(type)) return undefined;
    try {
      const j = JSON.parse(body) as unknown;
      if (j && typeof j === 'object' && !Array.isArray(j)) return undefined;
    } catch {
      /* below */
    }
  }
  return `answered 2xx but not as an OTLP receiver does (${type || 'no content-type'}: ${body.slice(0, 60).replace(/\s+/g, ' ') || 'empty'})`;
}

/** Sleep, or less if the signal aborts first; the abort listener is removed either way (traffic runs for hours). */
async function sleepUnlessAborted(ctx: LabContext, ms: number, signal?: AbortSignal): Promise<void> {
  if (!signal) return ctx.clock.sleep(ms);
  if (signal.aborted) return;
  let onAbort!: () => void;
  const aborted = new Promise<void>((resolve) => (onAbort = resolve));
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.race([ctx.clock.sleep(ms), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Send the templates in turn, at a steady rate, stamped "now" (the generator drops spans older than 30 s). */
export async function sendTraffic(ctx: LabContext, o: TrafficOptions): Promise<{ sent: number; failed: number; perTemplate: number[] }> {
  const base = await ctx.endpoint('otlp');
  // --otlp-url may name the receiver or its traces path: http://host:4318 and http://host:4318/v1/traces are one
  const url = `${base.replace(/\/+$/, '').replace(/\/v1\/traces$/, '')}/v1/traces`;
  const perTemplate = SHOP_TEMPLATES.map(() => 0);
  let sent = 0;
  let failed = 0;
  let last = '';
  o.log(say({ en: `sending the shop's templates to ${url} (${o.count || '∞'} traces, ${o.rate}/s)`, 'zh-TW': `正在送出商店模板到 ${url}（${o.count || '∞'} 筆，每秒 ${o.rate} 筆）` }, ctx.lab.lang));
  for (let i = 0; o.count === 0 || i < o.count; i++) {
    if (o.signal?.aborted) break;
    const t0 = ctx.clock.now();
    const { body } = buildTrace(i, t0, Math.random, httpNamesOf(ctx.lab.profile));
    try {
      const res = await ctx.http.request(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), timeoutMs: 10_000 });
      const notOtlp = res.status >= 200 && res.status < 300 ? notAnOtlpAnswer(res) : undefined;
      if (res.status >= 200 && res.status < 300 && !notOtlp) {
        sent++;
        perTemplate[i % SHOP_TEMPLATES.length]!++;
      } else if (notOtlp) {
        failed++;
        last = notOtlp;
      } else {
        failed++;
        last = `HTTP ${res.status} ${res.body.trim().slice(0, 100)}`;
      }
    } catch (err) {
      failed++;
      last = (err as Error).message;
    }
    // a run of N traces that reaches nothing ends; a generator that runs until stopped (--count 0, the lab's, like the
    // xk6 pod) keeps sending, as a pod would, and says so every tenth trace: a receiver that comes back is reached
    if (o.count > 0 && sent === 0 && failed >= 3) throw new WorkbookError(`${url} refused every trace: ${last}`, { hint: { en: 'Is the distributor up with traces.otlp.http.enabled (chapter 3)?', 'zh-TW': 'distributor 是否已啟動並開啟 traces.otlp.http.enabled（第 3 章）？' } });
    if ((i + 1) % 10 === 0) o.log(`${sent} sent, ${failed} failed${last ? ` (last error: ${last})` : ''}`);
    const wait = 1000 / o.rate - (ctx.clock.now() - t0);
    // Ctrl-C ends the wait too (at --rate 0.001 it is 1000 s), so the summary below is still printed
    if (wait > 0 && (o.count === 0 || i + 1 < o.count)) await sleepUnlessAborted(ctx, wait, o.signal);
  }
  const per = SHOP_TEMPLATES.map((t, i) => `${t.id} ${perTemplate[i]}`).join(', ');
  o.log(`${sent} traces sent (${per}), ${failed} failed${last ? `; last error: ${last}` : ''}`);
  return { sent, failed, perTemplate };
}

