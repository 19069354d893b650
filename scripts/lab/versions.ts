import { readBoundedSync } from '../core/read.js';
import { join } from 'node:path';
import { parse } from 'yaml';
import { MANIFESTS } from '../core/paths.js';
import { UsageError, WorkbookError } from '../core/errors.js';

export type { ChartPin, Profile } from '../core/model.js';
import type { Profile } from '../core/model.js';

interface VersionsFile {
  default: string;
  profiles: Record<string, Omit<Profile, 'name'>>;
}

export const VERSIONS_FILE = join(MANIFESTS, 'versions.yaml');

let cache: VersionsFile | undefined;

export function loadVersions(file = VERSIONS_FILE): VersionsFile {
  if (cache && file === VERSIONS_FILE) return cache;
  let doc: VersionsFile;
  try {
    doc = parse(readBoundedSync(file), { merge: true }) as VersionsFile;
  } catch (err) {
    throw new WorkbookError(`cannot read ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!doc || typeof doc !== 'object' || !doc.profiles || typeof doc.default !== 'string') {
    throw new WorkbookError(`${file} needs "default" and "profiles"`);
  }
  for (const [name, p] of Object.entries(doc.profiles)) validateProfile(name, p, file);
  if (file === VERSIONS_FILE) cache = doc;
  return doc;
}

const SEMVER = /^v?\d+\.\d+\.\d+/;
/** kind node images must be pinned by tag *and* digest: a tag alone can point at a build for another kind release. */
export const PINNED_IMAGE = /^[\w./-]+:v?\d+\.\d+\.\d+@sha256:[0-9a-f]{64}$/;

function validateProfile(name: string, p: Omit<Profile, 'name'>, file: string): void {
  const bad = (what: string) => new WorkbookError(`${file}: profile "${name}": ${what}`);
  if (!p.kind || !PINNED_IMAGE.test(p.kind.nodeImage ?? '')) throw bad('kind.nodeImage must be pinned as name:tag@sha256:digest');
  if (!SEMVER.test(p.kind.minVersion ?? '')) throw bad('kind.minVersion must be a version');
  for (const tool of ['kubectl', 'helm', 'docker'] as const) {
    if (!SEMVER.test(p.tools?.[tool] ?? '')) throw bad(`tools.${tool} must be a version`);
  }
  if (!p.charts || typeof p.charts !== 'object' || !Object.keys(p.charts).length) throw bad('charts must name at least one chart');
  for (const [chart, c] of Object.entries(p.charts)) {
    if (!c || !SEMVER.test(c.version ?? '') || !c.repoName || !/^https:\/\//.test(c.repoUrl ?? '')) {
      throw bad(`charts.${chart} needs repoName, repoUrl (https) and version`);
    }
  }
  if (!p.images || typeof p.images !== 'object') throw bad('images must be a map');
  for (const [prog, r] of Object.entries(p.embedded ?? {})) {
    const at = `embedded.${prog}`;
    if (!r || !SEMVER.test(r.version ?? '') || !/^https:\/\/.*\{os\}.*\{arch\}/.test(r.url ?? '') || !/^https:\/\//.test(r.checksums ?? '') || !r.binary) throw bad(`${at} needs version, url (https, with {os} and {arch}), checksums (https) and binary`);
    if (!Array.isArray(r.platforms) || !r.platforms.every((x) => /^[a-z0-9]+\/[a-z0-9]+$/.test(x))) throw bad(`${at}.platforms must list os/arch pairs`);
    if (r.maxMiB !== undefined && !(Number.isInteger(r.maxMiB) && r.maxMiB > 0 && r.maxMiB <= 4096)) throw bad(`${at}.maxMiB must be a whole number of MiB from 1 to 4096`);
    for (const [plat, sum] of Object.entries(r.sha256 ?? {})) if (!r.platforms.includes(plat) || !/^[0-9a-f]{64}$/.test(String(sum))) throw bad(`${at}.sha256.${plat} must be a listed platform's 64-hex checksum`);
  }
  if (p.installThenWait !== undefined && (!Array.isArray(p.installThenWait) || !p.installThenWait.every((c) => c in p.charts))) throw bad('installThenWait must list charts of the profile');
  for (const [chart, file] of Object.entries(p.values ?? {})) {
    if (!(chart in p.charts) || typeof file !== 'string' || !/^manifests\/[\w./-]+\.ya?ml$/.test(file)) throw bad(`values.${chart} must be a values file under manifests/`);
  }
  for (const [what, file] of Object.entries(p.manifests ?? {})) {
    if (!['xk6-client-tracing', 'kafka'].includes(what) || typeof file !== 'string' || !/^manifests\/[\w./-]+\.ya?ml$/.test(file)) throw bad(`manifests.${what} must be a manifest under manifests/ (xk6-client-tracing, kafka)`);
  }
  if (p.kafkaJars !== undefined && (typeof p.kafkaJars !== 'string' || !/^manifests\/[\w./-]+\.jars\.tsv$/.test(p.kafkaJars))) throw bad('kafkaJars must be a .jars.tsv under manifests/');
  for (const [chart, files] of Object.entries(p.overlays ?? {})) {
    if (!(chart in p.charts) || !Array.isArray(files) || !files.every((f) => typeof f === 'string' && /^manifests\/[\w./-]+\.ya?ml$/.test(f))) {
      throw bad(`overlays.${chart} must list values files under manifests/`);
    }
  }
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
