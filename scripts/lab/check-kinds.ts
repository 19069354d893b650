// Check kinds that chapters reuse instead of writing their own copy: an HTTP endpoint that answers ready, pods
// ready by label, a Grafana data source with the settings the lab needs. Each returns a whole Check; a chapter
// gives it its id, title, needs and hints.
import type { Check, LabContext, EndpointName, Lab, Need, Outcome, UrlName } from '../core/model.js';
import { fill, type Text } from '../core/text.js';
import { listPods, podReady } from './kube.js';
import { grafanaRequest, type DataSource } from './grafana.js';

interface Base {
  id: string;
  title: Text;
  needs?: Need[];
}

/**
 * GET <endpoint><path> answers 200 (and, with `body`, that exact body). `more` adds to the evidence of a pass
 * (a version from another page); a failure carries `hint`.
 */
export function httpReady(o: Base & { endpoint: EndpointName; path: string; body?: string; hint: Text; more?: (ctx: LabContext) => Promise<string | undefined> }): Check {
  return {
    id: o.id,
    title: o.title,
    ...(o.needs ? { needs: o.needs } : {}),
    async probe(ctx) {
      const base = await ctx.endpoint(o.endpoint);
      const res = await ctx.http.request(`${base}${o.path}`, { timeoutMs: 5000 });
      const evidence = `GET ${o.path} → ${res.status} ${res.body.trim().slice(0, 60)}`;
      if (res.status === 200 && (o.body === undefined || res.body.trim() === o.body)) {
        const extra = await o.more?.(ctx).catch(() => undefined);
        return { ok: true, evidence: extra ? `${evidence} (${extra})` : evidence };
      }
      return { ok: false, evidence, hint: o.hint };
    },
  };
}

/**
 * Pods in a namespace, found by a label selector, are ready. With `groups`, each value of the label `by` needs
 * its own count (Tempo's components); otherwise at least `min` (default 1) of them.
 */
export function podsReady(o: Base & { namespace: (lab: Lab) => string; selector: string; noun?: string; groups?: { by: string; want: Record<string, number> }; min?: number; clusterOnly?: UrlName[]; hint: Text }): Check {
  return {
    id: o.id,
    title: o.title,
    ...(o.needs ? { needs: o.needs } : {}),
    ...(o.clusterOnly ? { clusterOnly: o.clusterOnly } : {}),
    async probe(ctx): Promise<Outcome> {
      const { pods, fail } = await listPods(ctx, o.namespace(ctx.lab), o.selector);
      if (fail) return fail;
      if (o.groups) {
        const { by, want } = o.groups;
        const parts = Object.entries(want).map(([value, n]) => ({ value, want: n, ready: pods!.filter((p) => p.metadata.labels?.[by] === value && podReady(p)).length }));
        const total = parts.reduce((n, p) => n + Math.min(p.ready, p.want), 0);
        const need = parts.reduce((n, p) => n + p.want, 0);
        const evidence = `${total}/${need} pods ready: ${parts.map((p) => `${p.value} ${p.ready}/${p.want}`).join(', ')}`;
        return parts.every((p) => p.ready >= p.want) ? { ok: true, evidence } : { ok: false, evidence, hint: o.hint };
      }
      const ready = pods!.filter(podReady);
      const evidence = `${ready.length}/${pods!.length} ${o.noun ?? ''}${o.noun ? ' ' : ''}pods ready${pods!.length ? ` (${pods!.map((p) => p.metadata.name).join(', ')})` : ''}`;
      return ready.length >= (o.min ?? 1) ? { ok: true, evidence } : { ok: false, evidence, hint: o.hint };
    },
  };
}

export interface DataSourceHints {
  /** Grafana refused the credentials; {secret} is filled in by the chapter */
  unauthorized: (status: number) => Outcome;
  /** no data source with that uid: {uid} and {type} are filled in */
  missing: Text;
  /** the data source exists with the wrong settings: {uid} and {diff} */
  settings: Text;
  notReady: Text;
}

/** A Grafana data source by uid, read with GET /api/datasources/uid/<uid>. */
export async function readDataSource(ctx: LabContext, uid: string, type: string, hints: DataSourceHints): Promise<{ ds?: DataSource; fail?: Outcome }> {
  const r = await grafanaRequest(ctx, `/api/datasources/uid/${uid}`);
  if (r.status === 401 || r.status === 403) return { fail: hints.unauthorized(r.status) };
  if (r.status === 404) return { fail: { ok: false, evidence: `no data source with uid ${uid} (HTTP 404)`, hint: fill(hints.missing, { uid, type }) } };
  const ds = r.json as DataSource | undefined;
  if (r.status !== 200 || !ds || typeof ds !== 'object') return { fail: { ok: false, evidence: `GET /api/datasources/uid/${uid} → ${r.status}`, hint: hints.notReady } };
  return { ds };
}

/**
 * A Grafana data source has the settings the lab needs: `diff` lists each mismatch as "key: got ≠ want"; none
 * passes with `ok`'s evidence. A mismatch is final: settings do not change by waiting.
 */
export function dataSourceCheck(o: Base & { uid: string; type: string; hints: DataSourceHints; diff: (ds: DataSource) => string[]; ok: (ds: DataSource) => string }): Check {
  return {
    id: o.id,
    title: o.title,
    ...(o.needs ? { needs: o.needs } : {}),
    async probe(ctx) {
      const { ds, fail } = await readDataSource(ctx, o.uid, o.type, o.hints);
      if (fail) return fail;
      const diff = o.diff(ds!);
      if (!diff.length) return { ok: true, evidence: o.ok(ds!) };
      return { ok: false, final: true, evidence: diff.join('; '), hint: fill(o.hints.settings, { uid: o.uid, diff: diff.join('; ') }) };
    },
  };
}
