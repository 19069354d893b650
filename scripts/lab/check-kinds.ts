// Check kinds that chapters reuse instead of writing their own copy: an HTTP endpoint that answers ready, pods
// ready by label, a Grafana data source with the settings the lab needs. Each returns a whole Check; a chapter
// gives it its id, title, needs and hints.
import type { Check, LabContext, EndpointName, Lab, Need, Outcome, UrlName } from '../core/model.js';
import { fill, type Text } from '../core/text.js';
import { listPods, podReady } from './kube.js';
import { grafanaRequest, type DataSource } from './grafana.js';
import { ENDPOINTS, urlFlag } from '../core/endpoints.js';

interface Base {
  id: string;
  title: Text;
  needs?: Need[];
}

/** Who answers at an endpoint: a page only that component serves, and how to read its version from it. */
export interface Identity {
  /** e.g. "Tempo" */
  name: string;
  path: string;
  /** the version (or "yes") when the answer is that component's; undefined when it is not */
  read(res: { status: number; body: string }): string | undefined;
}

/** An endpoint that answers, but is not the component: final, and the hint names the flag to fix. */
export const NOT_THE_COMPONENT: Text = {
  en: 'The address answers, but it is not {name}: {evidence}. Is {where} {name}\'s address?',
  'zh-TW': '這個位址有回應，但不是 {name}：{evidence}。{where} 是 {name} 的位址嗎？',
};

/**
 * GET <endpoint><path> answers 200 (and, with `body`, that exact body), from the component `is` names: a pass says
 * its version; a ready page that answers but belongs to another program (a 404, an HTML login page, Prometheus
 * where Tempo was meant) fails at once, naming it. A failure from the right component carries `hint`.
 */
export function httpReady(o: Base & { endpoint: EndpointName; path: string; body?: string; hint: Text; is: Identity }): Check {
  return {
    id: o.id,
    title: o.title,
    ...(o.needs ? { needs: o.needs } : {}),
    async probe(ctx) {
      const base = await ctx.endpoint(o.endpoint);
      const [res, who] = await Promise.all([
        ctx.http.request(`${base}${o.path}`, { timeoutMs: 5000 }),
        ctx.http.request(`${base}${o.is.path}`, { timeoutMs: 5000 }).then(
          (r) => ({ r, version: o.is.read(r) }),
          () => undefined,
        ),
      ]);
      const evidence = `GET ${o.path} → ${res.status} ${oneLine(res.body)}`;
      // a 5xx says nothing of who answers (the component itself may be failing)
      if (who && who.version === undefined && who.r.status < 500) {
        const seen = `${evidence}; GET ${o.is.path} → ${who.r.status} ${oneLine(who.r.body)}`;
        const flag = ENDPOINTS[o.endpoint].url;
        const where = flag && ctx.lab.urls[flag] ? `--${urlFlag(flag)} (${ctx.lab.urls[flag]})` : `the port-forward (${base})`;
        return { ok: false, final: true, evidence: seen, hint: fill(NOT_THE_COMPONENT, { name: o.is.name, evidence: seen, where }) };
      }
      if (res.status === 200 && (o.body === undefined || res.body.trim() === o.body)) {
        return { ok: true, evidence: who?.version ? `${evidence} (${o.is.name} ${who.version})` : evidence };
      }
      return { ok: false, evidence, hint: o.hint };
    },
  };
}

const oneLine = (s: string) => s.trim().replace(/\s+/g, ' ').slice(0, 60);

/**
 * Pods in a namespace, found by a label selector, are ready. With `groups`, each value of the label `by` needs
 * its own count (Tempo's components); otherwise at least `min` (default 1) of them.
 */
export function podsReady(o: Base & { namespace: (lab: Lab) => string; selector: string; noun?: string; groups?: { by: string; /** by the lab's profile where the components differ (Tempo 2's and 3's) */ want: Record<string, number> | ((lab: Lab) => Record<string, number>) }; min?: number; clusterOnly?: UrlName[]; hint: Text }): Check {
  return {
    id: o.id,
    title: o.title,
    ...(o.needs ? { needs: o.needs } : {}),
    ...(o.clusterOnly ? { clusterOnly: o.clusterOnly } : {}),
    async probe(ctx): Promise<Outcome> {
      const { pods, fail } = await listPods(ctx, o.namespace(ctx.lab), o.selector);
      if (fail) return fail;
      if (o.groups) {
        const { by } = o.groups;
        const want = typeof o.groups.want === 'function' ? o.groups.want(ctx.lab) : o.groups.want;
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
