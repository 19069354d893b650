/**
 * The article's shop, defined once: the three trace templates of xk6-client-tracing v0.0.2's example script
 * (grafana/xk6-client-tracing@v0.0.2:examples/template/template.js:23–60, which the article deploys), and what
 * the generator makes of them (grafana/xk6-client-tracing@v0.0.2:pkg/tracegen/templated.go). `workbook traffic`,
 * the k6 script in manifests/xk6-client-tracing.yaml (held equal by a test), chapters 4–6 and the test fixtures
 * all read this file.
 */
import { imageAtLeast } from './versions.js';

export type Semantics = 'http' | 'db';

/**
 * The HTTP attribute names the generator writes. v0.0.2, the article's, uses the older OpenTelemetry names
 * (grafana/xk6-client-tracing@v0.0.2:pkg/tracegen/templated.go); v0.0.8 moved to the stable ones (commit a1e29ce
 * "Use more recent OTEL semantic conventions"; grafana/xk6-client-tracing@v0.0.10:pkg/tracegen/tracegen.go:9-19),
 * still reading a template's old http.status_code and http.method (templated.go getHTTPStatusCode, getHTTPMethod).
 * The shop's templates below keep the article's names; what a profile's generator writes is derived from its image.
 */
export interface HttpNames {
  status: string;
  method: string;
  url: string;
  scheme: string;
  target: string;
}
export const HTTP_NAMES_V0_0_2: HttpNames = { status: 'http.status_code', method: 'http.method', url: 'http.url', scheme: 'http.scheme', target: 'http.target' };
export const HTTP_NAMES_V0_0_10: HttpNames = { status: 'http.response.status_code', method: 'http.request.method', url: 'url.full', scheme: 'url.schema', target: 'url.target' };

/** The names a profile's xk6-client-tracing writes: read from its pinned image's tag (v0.0.8 and later: the stable names). */
export function httpNamesOf(profile: { images: Record<string, string> }): HttpNames {
  return imageAtLeast(profile.images['xk6-client-tracing'] ?? '', '0.0.8') ? HTTP_NAMES_V0_0_10 : HTTP_NAMES_V0_0_2;
}

/** A text of the article's (a query, a hint) said with a profile's names: `span.http.status_code` becomes `span.http.response.status_code`. */
export function withHttpNames(text: string, names: HttpNames): string {
  return names === HTTP_NAMES_V0_0_2 ? text : text.replaceAll(HTTP_NAMES_V0_0_2.status, names.status).replaceAll(HTTP_NAMES_V0_0_2.method, names.method);
}

export interface ShopSpan {
  service: string;
  /** no name: the generator picks a random "<operation>-<resource>" per trace (templated.go initializeSpan) */
  name?: string;
  /** index of the parent span; default: the span before (templated.go initialize) */
  parentIdx?: number;
  duration?: { min: number; max: number };
  /** set on the span itself: the template's own semantics replace the defaults (then none apply, v0.0.2) */
  attributeSemantics?: Semantics;
  attributes?: Record<string, string | number>;
  randomAttributes?: { count: number; cardinality?: number };
}

export interface ShopTemplate {
  id: string;
  defaults: { attributeSemantics?: Semantics; attributes?: Record<string, string | number>; randomAttributes?: { count: number; cardinality?: number } };
  spans: ShopSpan[];
}

const traceDefaults = { attributeSemantics: 'http' as const, attributes: { one: 'three' }, randomAttributes: { count: 2, cardinality: 5 } };

/** template.js:23–60 at v0.0.2, key for key. */
export const SHOP_TEMPLATES: ShopTemplate[] = [
  {
    id: 'list-articles',
    defaults: traceDefaults,
    spans: [
      { service: 'shop-backend', name: 'list-articles', duration: { min: 200, max: 900 } },
      { service: 'shop-backend', name: 'authenticate', duration: { min: 50, max: 100 } },
      { service: 'auth-service', name: 'authenticate' },
      { service: 'shop-backend', name: 'fetch-articles', parentIdx: 0 },
      { service: 'article-service', name: 'list-articles' },
      { service: 'article-service', name: 'select-articles', attributeSemantics: 'db' },
      { service: 'postgres', name: 'query-articles', attributeSemantics: 'db', randomAttributes: { count: 5 } },
    ],
  },
  {
    id: 'article-to-cart',
    defaults: { attributeSemantics: 'http' },
    spans: [
      { service: 'shop-backend', name: 'article-to-cart', duration: { min: 400, max: 1200 } },
      { service: 'shop-backend', name: 'authenticate', duration: { min: 70, max: 200 } },
      { service: 'auth-service', name: 'authenticate' },
      { service: 'shop-backend', name: 'get-article', parentIdx: 0 },
      { service: 'article-service', name: 'get-article' },
      { service: 'article-service', name: 'select-articles', attributeSemantics: 'db' },
      { service: 'postgres', name: 'query-articles', attributeSemantics: 'db', randomAttributes: { count: 2 } },
      { service: 'shop-backend', name: 'place-articles', parentIdx: 0 },
      { service: 'cart-service', name: 'place-articles', attributes: { 'article.count': 1, 'http.status_code': 201 } },
      { service: 'cart-service', name: 'persist-cart' },
    ],
  },
  {
    id: 'forbidden',
    defaults: traceDefaults,
    spans: [
      { service: 'shop-backend', attributes: { 'http.status_code': 403 } },
      { service: 'shop-backend', name: 'authenticate' },
      { service: 'auth-service', name: 'authenticate', attributes: { 'http.status_code': 403 } },
    ],
  },
];

export type Kind = 'SERVER' | 'CLIENT' | 'INTERNAL';

export function parentOf(tpl: ShopTemplate, i: number): number {
  return i === 0 ? -1 : (tpl.spans[i]!.parentIdx ?? i - 1);
}

/**
 * Span kinds exactly as templated.go initializeSpanKind decides them (v0.0.2). Note its "child": the first later
 * span with no parentIdx or with parentIdx == i, which is not always a real child.
 */
export function spanKinds(tpl: ShopTemplate): Kind[] {
  return tpl.spans.map((s, i) => {
    const child = tpl.spans.slice(i + 1).find((n) => n.parentIdx === undefined || n.parentIdx === i);
    const p = parentOf(tpl, i);
    if (p < 0) return !child || child.service === s.service ? 'SERVER' : 'CLIENT';
    if (tpl.spans[p]!.service !== s.service) return 'SERVER';
    if (child && child.service !== s.service) return 'CLIENT';
    return 'INTERNAL';
  });
}

/** The semantics that apply (v0.0.2: a span's own attributeSemantics leaves it with none). */
export function semanticsOf(tpl: ShopTemplate, i: number): Semantics | undefined {
  return tpl.spans[i]!.attributeSemantics === undefined ? tpl.defaults.attributeSemantics : undefined;
}

/** The fixed http.status_code a SERVER span takes (its own attribute), or undefined for a random success status. */
export function fixedStatus(tpl: ShopTemplate, i: number): number | undefined {
  const v = { ...tpl.defaults.attributes, ...tpl.spans[i]!.attributes }['http.status_code'];
  return typeof v === 'number' ? v : undefined;
}

/**
 * Which spans end with status ERROR: a SERVER span with HTTP semantics and status >= 500; the CLIENT parent of
 * such a SERVER span when its status is >= 400 (templated.go generateHTTPAttributes, v0.0.2).
 */
export function errorSpans(tpl: ShopTemplate): Set<number> {
  const kinds = spanKinds(tpl);
  const out = new Set<number>();
  tpl.spans.forEach((_, i) => {
    if (kinds[i] !== 'SERVER' || semanticsOf(tpl, i) !== 'http') return;
    const status = fixedStatus(tpl, i) ?? 200;
    if (status >= 500) out.add(i);
    const p = parentOf(tpl, i);
    if (p >= 0 && kinds[p] === 'CLIENT' && status >= 400) out.add(p);
  });
  return out;
}

export const SERVICES: string[] = [...new Set(SHOP_TEMPLATES.flatMap((t) => t.spans.map((s) => s.service)))];

type Edge = [string, string];
const edgeKey = ([c, s]: Edge) => `${c} → ${s}`;

function uniq(edges: Edge[]): Edge[] {
  return [...new Map(edges.map((e) => [edgeKey(e), e])).values()];
}

/**
 * The service graph Tempo's metrics generator draws (grafana/tempo@v2.2.2:modules/generator/processor/servicegraphs):
 * a CLIENT span paired with its SERVER child in another service; a root SERVER span becomes user → service.
 */
export function serviceGraph(): { edges: Edge[]; failing: Edge[]; neverFailing: Edge[] } {
  const edges: Edge[] = [];
  const failing: Edge[] = [];
  for (const tpl of SHOP_TEMPLATES) {
    const kinds = spanKinds(tpl);
    const errors = errorSpans(tpl);
    tpl.spans.forEach((s, i) => {
      const p = parentOf(tpl, i);
      if (p < 0 && kinds[i] === 'SERVER') {
        edges.push(['user', s.service]);
        if (errors.has(i)) failing.push(['user', s.service]);
      }
      if (p >= 0 && kinds[i] === 'SERVER' && kinds[p] === 'CLIENT' && tpl.spans[p]!.service !== s.service) {
        edges.push([tpl.spans[p]!.service, s.service]);
        // servicegraphs.go: an edge fails when either side has status ERROR
        if (errors.has(i) || errors.has(p)) failing.push([tpl.spans[p]!.service, s.service]);
      }
    });
  }
  const all = uniq(edges);
  const f = uniq(failing);
  return { edges: all, failing: f, neverFailing: all.filter((e) => !f.some((x) => edgeKey(x) === edgeKey(e))) };
}

/** "child ← parent" as service:name; a span with no fixed name is "*"; the root's parent is ROOT. */
export function templateShape(tpl: ShopTemplate): string[] {
  const label = (i: number) => `${tpl.spans[i]!.service}:${tpl.spans[i]!.name ?? '*'}`;
  return tpl.spans.map((_, i) => `${label(i)} ← ${parentOf(tpl, i) < 0 ? 'ROOT' : label(parentOf(tpl, i))}`);
}

export { edgeKey };
