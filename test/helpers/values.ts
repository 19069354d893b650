// Chart key paths and the naming rules of the pinned charts, for tests over manifests/*.values.yaml.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { ROOT } from './fakes.js';

export type Kind = 'map' | 'emptymap' | 'list' | 'scalar' | 'null';

/** Key paths of a pinned chart's values.yaml (see the header of each .tsv for its source). */
export function chartKeys(file: string): Map<string, Kind> {
  const rows = readFileSync(join(ROOT, 'test/fixtures/chart-keys', file), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  return new Map(rows.map((r) => r.split('\t') as [string, Kind]));
}

/** Every key path our values set. */
export function ourKeys(doc: unknown, prefix = ''): string[] {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return [];
  return Object.entries(doc as Record<string, unknown>).flatMap(([k, v]) => {
    const path = prefix ? `${prefix}.${k}` : k;
    return [path, ...ourKeys(v, path)];
  });
}

/** A key is valid when the chart has it, or sits under a chart key whose default is free-form ({} / [] / null). */
export function unknownKeys(values: unknown, chart: Map<string, Kind>): string[] {
  return ourKeys(values).filter((path) => {
    if (chart.has(path)) return false;
    const parts = path.split('.');
    for (let i = parts.length - 1; i > 0; i--) {
      const kind = chart.get(parts.slice(0, i).join('.'));
      if (kind) return kind === 'map' || kind === 'scalar';
    }
    return true;
  });
}

export const readValues = (name: string) => parse(readFileSync(join(ROOT, 'manifests', name), 'utf8'));

/** kube-prometheus-stack's fullname rule (templates/_helpers.tpl): override, or release[-chart], cut to 26. */
export function kpsFullname(release: string, fullnameOverride?: string): string {
  const raw = fullnameOverride || (release.includes('kube-prometheus-stack') ? release : `${release}-kube-prometheus-stack`);
  return raw.slice(0, 26).replace(/-+$/, '');
}


/** manifests/xk6-client-tracing.yaml: its ConfigMap (the k6 script) and its Deployment. */
export function xk6Manifest(file = 'manifests/xk6-client-tracing.yaml'): { script: string; configMap: any; deployment: any } {
  const docs = parseAllDocuments(readFileSync(join(ROOT, file), 'utf8')).map((d) => d.toJSON());
  const configMap = docs.find((d) => d.kind === 'ConfigMap');
  const deployment = docs.find((d) => d.kind === 'Deployment');
  return { script: configMap.data['shop.js'], configMap, deployment };
}
