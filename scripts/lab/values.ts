// Values files merged as helm merges `--values` files: the embedded lab's configuration and the tests' Grafana
// contract server both read the manifests this way, so a fault overlay means the same to both.
import { join } from 'node:path';
import { parse } from 'yaml';
import { readBoundedSync } from '../core/read.js';
import { ROOT } from '../core/paths.js';
import { UsageError } from '../core/errors.js';

/**
 * Maps deep-merged, lists and scalars replaced whole, and a null in a later file removing the key
 * (helm/helm@v3.12.3 pkg/cli/values/options.go mergeMaps keeps the null, then pkg/chartutil/coalesce.go deletes a
 * key whose user-supplied value is null from the chart's defaults). Paths are repo-relative, or absolute.
 */
export function mergeValues<T = Record<string, unknown>>(files: string[]): T {
  const merge = (a: unknown, b: unknown): unknown => {
    if (b === null || typeof b !== 'object' || Array.isArray(b) || a === null || typeof a !== 'object' || Array.isArray(a)) return b;
    const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
    for (const [k, v] of Object.entries(b as Record<string, unknown>)) {
      if (v === null) delete out[k];
      else out[k] = merge(out[k], v);
    }
    return out;
  };
  return files.map(readValues).reduce(merge, {}) as T;
}

/** One values file: a YAML map (or nothing); anything else is one line naming the file. */
function readValues(f: string): Record<string, unknown> {
  const path = f.startsWith('/') ? f : join(ROOT, f);
  let v: unknown;
  try {
    v = parse(readBoundedSync(path));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new UsageError(`${f}: not a values file (${e.code && !e.code.startsWith('YAML') && e.code !== 'BAD_INDENT' ? e.code : e.message.split('\n')[0]})`);
  }
  if (v === null || v === undefined) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new UsageError(`${f}: not a values file (a YAML map of keys is expected, not ${Array.isArray(v) ? 'a list' : typeof v})`);
  return v as Record<string, unknown>;
}
