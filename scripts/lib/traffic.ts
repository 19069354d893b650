/**
 * The article's three shop templates as OTLP/JSON, for when the xk6-client-tracing image cannot be pulled.
 * Span kinds follow the rule service graphs need: a root span is SERVER; a span whose child runs in another
 * service is CLIENT and that child is SERVER; every other span is INTERNAL.
 */
export interface TemplateSpan {
  service: string;
  name?: string;
  /** index of the parent span; default: the span before */
  parentIdx?: number;
  duration?: { min: number; max: number };
  attributes?: Record<string, string | number>;
  db?: boolean;
}

export const SHOP_TEMPLATES: { id: string; spans: TemplateSpan[] }[] = [
  {
    id: 'list-articles',
    spans: [
      { service: 'shop-backend', name: 'list-articles', duration: { min: 200, max: 900 } },
      { service: 'shop-backend', name: 'authenticate', duration: { min: 50, max: 100 } },
      { service: 'auth-service', name: 'authenticate' },
      { service: 'shop-backend', name: 'fetch-articles', parentIdx: 0 },
      { service: 'article-service', name: 'list-articles' },
      { service: 'article-service', name: 'select-articles', db: true },
      { service: 'postgres', name: 'query-articles', db: true },
    ],
  },
  {
    id: 'article-to-cart',
    spans: [
      { service: 'shop-backend', name: 'article-to-cart', duration: { min: 400, max: 1200 } },
      { service: 'shop-backend', name: 'authenticate', duration: { min: 70, max: 200 } },
      { service: 'auth-service', name: 'authenticate' },
      { service: 'shop-backend', name: 'get-article', parentIdx: 0 },
      { service: 'article-service', name: 'get-article' },
      { service: 'article-service', name: 'select-articles', db: true },
      { service: 'postgres', name: 'query-articles', db: true },
      { service: 'shop-backend', name: 'place-articles', parentIdx: 0 },
      { service: 'cart-service', name: 'place-articles', attributes: { 'article.count': 1, 'http.status_code': 201 } },
      { service: 'cart-service', name: 'persist-cart' },
    ],
  },
  {
    id: 'forbidden',
    spans: [
      { service: 'shop-backend', duration: { min: 500, max: 800 }, attributes: { 'http.status_code': 403 } },
      { service: 'shop-backend', name: 'authenticate' },
      { service: 'auth-service', name: 'authenticate', attributes: { 'http.status_code': 403 } },
    ],
  },
];

const VERBS = ['get', 'list', 'create', 'update', 'send', 'search'];
const NOUNS = ['cart', 'order', 'wishlist', 'invoice', 'product', 'customer'];

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

const hex = (rng: Rng, bytes: number) => Array.from({ length: bytes }, () => Math.floor(rng() * 256).toString(16).padStart(2, '0')).join('');

type OtlpValue = { stringValue: string } | { intValue: string };
const attr = (key: string, v: string | number): { key: string; value: OtlpValue } => ({ key, value: typeof v === 'number' ? { intValue: String(v) } : { stringValue: v } });

/** OTLP span kinds (opentelemetry-proto): 1 INTERNAL, 2 SERVER, 3 CLIENT. */
export const KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3 } as const;

/** One trace of a template as an OTLP/JSON ExportTraceServiceRequest, ending at `nowMs`. */
export function buildTrace(templateIndex: number, nowMs: number, rng: Rng = Math.random): { traceId: string; body: unknown } {
  const tpl = SHOP_TEMPLATES[templateIndex % SHOP_TEMPLATES.length]!;
  const traceId = hex(rng, 16);
  const spans = tpl.spans;
  const parents = spans.map((s, i) => (i === 0 ? -1 : (s.parentIdx ?? i - 1)));
  const ids = spans.map(() => hex(rng, 8));
  const crossChild = (i: number) => parents.some((p, j) => p === i && spans[j]!.service !== spans[i]!.service);
  const kinds = spans.map((s, i) => (i === 0 ? KIND.SERVER : crossChild(i) ? KIND.CLIENT : spans[parents[i]!]!.service !== s.service ? KIND.SERVER : KIND.INTERNAL));
  const rootName = tpl.spans[0]!.name ?? `${VERBS[Math.floor(rng() * VERBS.length)]}-${NOUNS[Math.floor(rng() * NOUNS.length)]}`;
  // timing: the root ends now; children run one after another inside their parent; a SERVER sits inside its CLIENT
  const dur = (s: TemplateSpan, room: number) => (s.duration ? s.duration.min + rng() * (s.duration.max - s.duration.min) : room * (0.3 + rng() * 0.5));
  const start: number[] = [];
  const end: number[] = [];
  const rootDur = dur(spans[0]!, 0);
  end[0] = nowMs;
  start[0] = nowMs - rootDur;
  const cursor = new Map<number, number>();
  for (let i = 1; i < spans.length; i++) {
    const p = parents[i]!;
    const laterSiblings = parents.slice(i + 1).filter((x) => x === p).length;
    const net = kinds[i] === KIND.SERVER ? 0.3 + rng() * 2.7 : 0; // the "network" between a CLIENT and its SERVER
    const begin = (cursor.get(p) ?? start[p]! + 0.5) + net;
    const room = Math.max(1, (end[p]! - net - begin) / (laterSiblings + 1));
    start[i] = begin;
    end[i] = begin + Math.max(0.5, Math.min(dur(spans[i]!, room), room));
    cursor.set(p, end[i]! + 0.5);
  }
  const forbidden = spans.some((s) => s.attributes?.['http.status_code'] === 403);
  const services = [...new Set(spans.map((s) => s.service))];
  const ns = (ms: number) => String(BigInt(Math.round(ms * 1000)) * 1000n);
  const body = {
    resourceSpans: services.map((service) => ({
      resource: { attributes: [attr('service.name', service), attr('service.namespace', 'shop'), attr('host.name', `${service}.local`), attr('telemetry.sdk.name', 'tempo-workbook'), attr('telemetry.sdk.language', 'nodejs')] },
      scopeSpans: [
        {
          scope: { name: 'tempo-workbook-traffic', version: '1' },
          spans: spans.flatMap((s, i) => {
            if (s.service !== service) return [];
            const attributes = [
              ...(tpl.id === 'article-to-cart' ? [] : [attr('one', 'three')]),
              ...(s.db ? [attr('db.system', 'postgresql'), attr('db.user', 'shop'), attr('db.operation', 'SELECT'), attr('db.statement', 'SELECT * FROM articles')] : []),
              ...(!s.db && kinds[i] !== KIND.INTERNAL ? [attr('http.method', 'GET'), attr('http.url', `http://${service}.local/${s.name ?? rootName}`)] : []),
              ...Object.entries(s.attributes ?? {}).map(([k, v]) => attr(k, v)),
              ...(forbidden && !s.attributes?.['http.status_code'] ? [attr('http.status_code', 403)] : []),
            ];
            return [
              {
                traceId,
                spanId: ids[i],
                ...(i > 0 ? { parentSpanId: ids[parents[i]!] } : {}),
                name: i === 0 ? rootName : s.name!,
                kind: kinds[i],
                startTimeUnixNano: ns(start[i]!),
                endTimeUnixNano: ns(end[i]!),
                attributes,
                status: forbidden ? { code: 2, message: 'Forbidden' } : {},
              },
            ];
          }),
        },
      ],
    })),
  };
  return { traceId, body };
}
