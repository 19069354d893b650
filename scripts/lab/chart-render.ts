// What the pinned charts make of our values, as the real `helm template` renders them: the embedded lab runs the
// chart's own Tempo configuration (and Prometheus' flags from the chart's Prometheus resource), localised only where a
// loopback lab must differ (scripts/lab/embedded-config.ts, its change table).
//
// The renders are committed under manifests/rendered/ (one file per chart and set of values files), made by
// `npm run render-charts` with real helm from the charts' pinned archives; a test renders them again with real helm
// and fails on any difference, so they cannot drift from the charts or from manifests/. A set of values files with
// no committed render (a learner's own `lab restart tempo --values FILE`) is rendered on the spot when helm and the
// chart's archive are at hand.
import { existsSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { z } from 'zod';
import { ROOT } from '../core/paths.js';
import { UsageError } from '../core/errors.js';
import { readBoundedSync } from '../core/read.js';
import { imageVersion, loadVersions } from './versions.js';

export const RENDERED = join(ROOT, 'manifests/rendered');

/** What a `helm upgrade --install` command line installs: release, chart, version, namespace and values files. */
export interface ChartInstall {
  release: string;
  /** the chart's name (its last path part: grafana/tempo-distributed → tempo-distributed) */
  chart: string;
  version: string;
  namespace: string;
  values: string[];
}

/** Read a `helm [--kube-context X] upgrade --install REL CHART …` command line (as `plan` shows it). */
export function installOf(argv: readonly string[]): ChartInstall {
  const a = argv[0] === 'helm' ? argv.slice(1) : [...argv];
  const ctx = a.indexOf('--kube-context');
  if (ctx >= 0) a.splice(ctx, 2);
  if (a[0] !== 'upgrade' || a[1] !== '--install') throw new Error(`not a helm upgrade --install: ${argv.join(' ')}`);
  const [release, ref] = [a[2]!, a[3]!];
  const flag = (f: string) => {
    const i = a.indexOf(f);
    return i >= 0 ? a[i + 1] : undefined;
  };
  const values = a.flatMap((x, i) => (x === '--values' ? [a[i + 1]!] : []));
  const chart = basename(ref).replace(/-\d+\.\d+\.\d+\.tgz$/, '');
  const version = flag('--version') ?? /-(\d+\.\d+\.\d+)\.tgz$/.exec(ref)?.[1] ?? '';
  return { release, chart, version, namespace: flag('--namespace') ?? 'default', values };
}

/**
 * The Kubernetes version the kind lab of the profile pinning this chart runs (its node image's tag): `helm template`
 * otherwise renders for helm's own default (v1.20.0 in helm 3.21.4), which a chart of today refuses
 * (kube-prometheus-stack 88.5.3: `kubeVersion: ">=1.25.0-0"`), and an install renders for the cluster it meets.
 */
export function kubeVersionFor(i: Pick<ChartInstall, 'chart' | 'version'>): string | undefined {
  const profiles = Object.values(loadVersions().profiles);
  const p = profiles.find((x) => x.charts?.[i.chart]?.version === i.version);
  return p?.kind?.nodeImage ? imageVersion(p.kind.nodeImage) : undefined;
}

/** The `helm template` command line that renders exactly what an install would create, from the chart's archive. */
export function templateArgv(i: ChartInstall, chartArchive: string): string[] {
  const kube = kubeVersionFor(i);
  return ['template', i.release, chartArchive, '--namespace', i.namespace, ...(kube ? ['--kube-version', kube] : []), ...i.values.flatMap((v) => ['--values', v])];
}

/** Where a chart's render for a set of values files is kept: one file per chart version and values set. */
export function renderedFile(i: Pick<ChartInstall, 'chart' | 'version' | 'values'>): string {
  const names = i.values.map((v) => relative(ROOT, v.startsWith('/') ? v : join(ROOT, v)).replace(/^manifests\//, '').replace(/\.values\.ya?ml$/, '').replace(/[/\\]/g, '~'));
  return join(RENDERED, `${i.chart}-${i.version}`, `${names.join('+')}.yaml`);
}

/** Tempo as tempo-distributed renders it: tempo.yaml, the runtime overrides, and each component's arguments. */
export const TempoRenderSchema = z.object({
  kind: z.literal('tempo'),
  config: z.record(z.unknown()),
  overrides: z.record(z.unknown()),
  args: z.record(z.array(z.string())),
});
export type TempoRender = z.infer<typeof TempoRenderSchema>;

/** Prometheus as kube-prometheus-stack renders it: the Prometheus resource's spec (the operator makes flags of it). */
export const PrometheusRenderSchema = z.object({
  kind: z.literal('prometheus'),
  spec: z.object({ enableFeatures: z.array(z.string()).optional(), enableRemoteWriteReceiver: z.boolean().optional() }).passthrough(),
});
export type PrometheusRender = z.infer<typeof PrometheusRenderSchema>;

const RenderSchema = z.union([TempoRenderSchema, PrometheusRenderSchema]);
export type Render = z.infer<typeof RenderSchema>;

type Doc = { kind?: string; metadata?: { name?: string }; data?: Record<string, string>; spec?: Record<string, unknown> };

/** What the embedded lab needs of a chart's rendered documents. */
export function extractRender(chart: string, yamlText: string): Render {
  const docs = parseAllDocuments(yamlText).map((d) => d.toJSON() as Doc).filter(Boolean);
  if (chart === 'tempo-distributed') {
    const cm = (name: string) => docs.find((d) => d.kind === 'ConfigMap' && d.metadata?.name?.endsWith(name));
    const config = parse(cm('-config')?.data?.['tempo.yaml'] ?? '') as Record<string, unknown>;
    const overrides = (parse(cm('-runtime')?.data?.['overrides.yaml'] ?? '') ?? {}) as Record<string, unknown>;
    const args: Record<string, string[]> = {};
    for (const d of docs.filter((x) => x.kind === 'Deployment' || x.kind === 'StatefulSet')) {
      const containers = ((d.spec?.template as { spec?: { containers?: { args?: string[] }[] } })?.spec?.containers ?? []) as { args?: string[] }[];
      const a = containers[0]?.args ?? [];
      const target = a.find((x) => x.startsWith('-target='))?.slice('-target='.length);
      if (target) args[target] = a;
    }
    return TempoRenderSchema.parse({ kind: 'tempo', config, overrides, args });
  }
  if (chart === 'kube-prometheus-stack') {
    const p = docs.find((d) => d.kind === 'Prometheus');
    return PrometheusRenderSchema.parse({ kind: 'prometheus', spec: p?.spec ?? {} });
  }
  throw new Error(`no render is kept for the chart ${chart}`);
}

export const renderText = (r: Render) => `# rendered by helm template from the pinned chart with the values named in this file's name (npm run render-charts)\n${stringify(r)}`;

/** The committed render of this chart with these values files; undefined when none is committed. */
export function committedRender(i: Pick<ChartInstall, 'chart' | 'version' | 'values'>): Render | undefined {
  const f = renderedFile(i);
  if (!existsSync(f)) return undefined;
  const r = RenderSchema.safeParse(parse(readBoundedSync(f)));
  if (!r.success) throw new UsageError(`${relative(ROOT, f)}: not a render (${r.error.issues[0]!.path.join('.')}: ${r.error.issues[0]!.message}): run npm run render-charts`);
  return r.data;
}


/** Where two values differ: dotted paths into plain objects; arrays and scalars are compared whole. */
export function diffPaths(a: unknown, b: unknown, at = ''): string[] {
  const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
  if (isMap(a) && isMap(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diffPaths(a[k], b[k], at ? `${at}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [at];
}

/**
 * Every difference between two whole renders (`helm template` output), as `Kind/name:path`; a ConfigMap's data
 * entries that are YAML are compared as parsed (tempo.yaml, overrides.yaml, Grafana's data sources), and the
 * `checksum/*` annotations that only follow a ConfigMap's change are left out.
 */
export function renderDiff(baseText: string, otherText: string): string[] {
  const index = (text: string) => {
    const out: Record<string, unknown> = {};
    for (const d of parseAllDocuments(text).map((x) => x.toJSON() as Doc & { metadata?: { annotations?: Record<string, string> } }).filter(Boolean)) {
      const doc = structuredClone(d) as Doc & { spec?: { template?: { metadata?: { annotations?: Record<string, string> } } } };
      for (const ann of [doc.spec?.template?.metadata?.annotations]) if (ann) for (const k of Object.keys(ann)) if (k.startsWith('checksum/')) delete ann[k];
      if (doc.kind === 'ConfigMap' && doc.data) {
        for (const [k, v] of Object.entries(doc.data)) {
          try {
            const parsed = parse(v);
            if (parsed && typeof parsed === 'object') (doc.data as Record<string, unknown>)[k] = parsed;
          } catch {
            /* not YAML: compared as text */
          }
        }
      }
      out[`${doc.kind}/${doc.metadata?.name}`] = doc;
    }
    return out;
  };
  const a = index(baseText);
  const b = index(otherText);
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort().flatMap((k) => diffPaths(a[k], b[k]).map((p) => (p ? `${k}:${p}` : k)));
}
