import { readBoundedSync } from '../core/read.js';
import { join } from 'node:path';
import { parse } from 'yaml';
import { MANIFESTS } from '../core/paths.js';
import { UsageError, WorkbookError } from '../core/errors.js';

export type { ChartPin, Profile } from '../core/model.js';
import type { Profile } from '../core/model.js';
import { VersionsFileSchema, type VersionsFile } from '../core/profile.js';
export { PINNED_IMAGE } from '../core/profile.js';

export const VERSIONS_FILE = join(MANIFESTS, 'versions.yaml');

let cache: VersionsFile | undefined;

/** versions.yaml, every profile parsed by its schema (core/profile.ts); the first broken rule is the file's error. */
export function loadVersions(file = VERSIONS_FILE): VersionsFile {
  if (cache && file === VERSIONS_FILE) return cache;
  let raw: unknown;
  try {
    raw = parse(readBoundedSync(file), { merge: true });
  } catch (err) {
    throw new WorkbookError(`cannot read ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  const r = VersionsFileSchema.safeParse(raw);
  if (!r.success) {
    const [first] = r.error.issues;
    if (first!.path[0] !== 'profiles' || first!.path[1] === undefined) throw new WorkbookError(`${file} needs "default" and "profiles"`);
    // every broken rule of the first profile that breaks one, each naming its field (three at most, on one line)
    const name = String(first!.path[1]);
    const rules = r.error.issues.filter((i) => i.path[0] === 'profiles' && String(i.path[1]) === name).map((i) => `${i.path.slice(2).join('.') || 'it'} ${i.message === 'Required' ? 'is missing' : i.message}`);
    throw new WorkbookError(`${file}: profile "${name}": ${rules.slice(0, 3).join('; ')}${rules.length > 3 ? ` (and ${rules.length - 3} more)` : ''}`);
  }
  if (file === VERSIONS_FILE) cache = r.data;
  return r.data;
}

export function profileNames(file = VERSIONS_FILE): string[] {
  return Object.keys(loadVersions(file).profiles);
}

export function getProfile(name: string | undefined, file = VERSIONS_FILE): Profile {
  const doc = loadVersions(file);
  const chosen = name ?? doc.default;
  const p = doc.profiles[chosen];
  const known = Object.keys(doc.profiles).join(', ');
  if (!p) throw new UsageError({ en: `unknown profile "${chosen}" (known: ${known})`, 'zh-TW': `沒有 "${chosen}" 這個版本組合（已知：${known}）` });
  return { name: chosen, ...p };
}

/** Compare dotted versions, ignoring a leading v and anything after + or -. */
export function compareVersions(a: string, b: string): number {
  const norm = (v: string) => v.replace(/^v/, '').split(/[+-]/)[0]!.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const x = norm(a);
  const y = norm(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** The version in an image reference's tag (`ghcr.io/grafana/xk6-client-tracing:v0.0.10` → 0.0.10; a digest after it is ignored). */
export function imageVersion(image: string): string | undefined {
  return /:v?(\d+\.\d+\.\d+)(?:[-@]|$)/.exec(image)?.[1];
}

/** Whether an image's tag is this version or later (no version in its tag: no). */
export const imageAtLeast = (image: string, version: string): boolean => {
  const v = imageVersion(image);
  return v !== undefined && compareVersions(v, version) >= 0;
};
