// A classroom without internet: `workbook bundle <dir>` saves every image of the profile (docker save) and both
// charts at their pinned versions (helm pull) with an index and SHA-256 checksums; `workbook prefetch --from <dir>`
// checks and loads them (docker load, then kind load), and records the bundle so the install chapters take the
// chart .tgz from it (no helm repo add/update). One USB stick serves a room.
import { existsSync, lstatSync, mkdirSync, realpathSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../core/errors.js';
import type { Command, Lab, LabContext } from '../core/model.js';
import { formatCommand, lastLines } from '../core/format.js';
import { readBoundedSync, sha256File } from '../core/read.js';

export const BUNDLE_SCHEMA = 'tempo-workbook/bundle@1';
export const INDEX = 'index.json';

/** A file of the bundle: a relative path inside it, and its checksum. */
const FileEntry = { file: z.string().min(1).max(400), sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a 64-hex SHA-256') };
export const BundleIndexSchema = z.object({
  schema: z.literal(BUNDLE_SCHEMA),
  profile: z.string().min(1).max(100),
  createdAt: z.string(),
  images: z.array(z.object({ key: z.string(), ref: z.string(), ...FileEntry })).max(500),
  charts: z.array(z.object({ chart: z.string(), version: z.string(), ...FileEntry })).max(100),
});
export type BundleIndex = z.infer<typeof BundleIndexSchema>;

/** Where an image's tar goes: its reference made a file name. */
export const imageFile = (ref: string) => join('images', `${ref.replace(/@sha256:.*/, '').replace(/[^A-Za-z0-9._-]+/g, '_')}.tar`);
/** helm pull names the archive <chart>-<version>.tgz (helm/helm@v3.12.3 pkg/action/pull.go). */
export const chartFile = (chart: string, version: string) => join('charts', `${chart}-${version}.tgz`);

export const saveCommand = (ref: string, file: string): Command => ({ argv: ['docker', 'save', '--output', file, ref], timeoutMs: 30 * 60_000 });
export const loadImageCommand = (file: string): Command => ({ argv: ['docker', 'load', '--input', file], timeoutMs: 30 * 60_000 });
/** `helm pull CHART --repo URL --version V --destination DIR`: no `helm repo add` needed on the machine that bundles. */
export const chartPullCommand = (chart: string, repoUrl: string, version: string, dir: string): Command => ({ argv: ['helm', 'pull', chart, '--repo', repoUrl, '--version', version, '--destination', dir], timeoutMs: 10 * 60_000 });

/** What `bundle` did, for its summary. */
export interface BundleResult {
  index?: BundleIndex;
  failed: { what: string; error: string }[];
}

/** Save the profile's images and pull its charts into `dir`; the index with every file's checksum (the caller writes it). */
export async function makeBundle(ctx: LabContext, dir: string, log: (line: string) => void): Promise<BundleResult> {
  const lab = ctx.lab;
  const failed: BundleResult['failed'] = [];
  mkdirSync(join(dir, 'images'), { recursive: true });
  mkdirSync(join(dir, 'charts'), { recursive: true });
  const run = async (what: string, cmd: Command): Promise<boolean> => {
    log(`$ ${formatCommand(cmd.argv)}`);
    const r = await ctx.shell.run(cmd);
    if (r.exitCode !== 0) failed.push({ what, error: lastLines(r.stderr || r.stdout) || `exit ${r.exitCode}` });
    return r.exitCode === 0;
  };
  const images: BundleIndex['images'] = [];
  for (const [key, ref] of Object.entries(lab.profile.images)) {
    const have = await ctx.shell.run({ argv: ['docker', 'image', 'inspect', '--format', '{{.Id}}', ref], timeoutMs: 30_000 });
    if (have.exitCode !== 0 && !(await run(ref, { argv: ['docker', 'pull', ref], timeoutMs: 30 * 60_000 }))) continue;
    const file = imageFile(ref);
    if (!(await run(ref, saveCommand(ref, join(dir, file))))) continue;
    images.push({ key, ref, file, sha256: await sha256File(join(dir, file)) });
  }
  const charts: BundleIndex['charts'] = [];
  for (const [chart, pin] of Object.entries(lab.profile.charts)) {
    if (!(await run(`${chart} ${pin.version}`, chartPullCommand(chart, pin.repoUrl, pin.version, join(dir, 'charts'))))) continue;
    const file = chartFile(chart, pin.version);
    if (!existsSync(join(dir, file))) {
      failed.push({ what: `${chart} ${pin.version}`, error: `helm pull wrote no ${file}` });
      continue;
    }
    charts.push({ chart, version: pin.version, file, sha256: await sha256File(join(dir, file)) });
  }
  if (failed.length) return { failed };
  return { index: { schema: BUNDLE_SCHEMA, profile: lab.profile.name, createdAt: new Date().toISOString(), images, charts }, failed };
}

/** A bundle's index, read and checked: every file there with its checksum, made for this profile; else one line. */
export async function readBundle(dirIn: string, lab: Lab): Promise<{ dir: string; index: BundleIndex }> {
  const dir = resolve(dirIn);
  const f = join(dir, INDEX);
  if (!existsSync(f)) throw new UsageError(`${dirIn}: no bundle here (no ${INDEX}; \`workbook bundle <dir>\` makes one)`);
  let value: unknown;
  try {
    // bounded, and a regular file only (a FIFO or /dev/zero would hang or exhaust memory)
    value = JSON.parse(readBoundedSync(f));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new UsageError(`${f}: ${e.code === 'ENOTREG' || e.code === 'ETOOBIG' ? e.message : `not JSON (${e.message.split('\n')[0]})`}`);
  }
  const parsed = BundleIndexSchema.safeParse(value);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new UsageError(`${f}: not a ${BUNDLE_SCHEMA} index (${i.path.join('.') || 'the file'}: ${i.message})`);
  }
  const index = parsed.data;
  if (index.profile !== lab.profile.name) throw new UsageError(`${dirIn} was bundled for profile ${index.profile}, not ${lab.profile.name}: use --profile ${index.profile}, or bundle this profile`);
  const real = realpathSync(dir);
  for (const e of [...index.images, ...index.charts]) {
    const p = resolve(dir, e.file);
    // inside the bundle: no ../, no absolute path, no link that leads out of it
    const inside = (q: string, root: string) => !relative(root, q).startsWith('..') && !relative(root, q).startsWith(sep) && relative(root, q) !== '';
    if (!inside(p, dir)) throw new UsageError(`${dirIn}: ${e.file} is outside the bundle: refused`);
    const st = lstatSync(p, { throwIfNoEntry: false });
    if (!st) throw new UsageError(`${dirIn}: ${e.file} is missing`);
    if (st.isSymbolicLink() && !inside(realpathSync(p), real)) throw new UsageError(`${dirIn}: ${e.file} is a link to outside the bundle: refused`);
    const target = st.isSymbolicLink() ? lstatSync(realpathSync(p)) : st;
    if (!target.isFile()) throw new UsageError(`${dirIn}: ${e.file} is not a regular file (a FIFO, a device or a folder): refused`);
    const sum = await sha256File(p);
    if (sum !== e.sha256) throw new UsageError(`${dirIn}: ${e.file} does not match its checksum (${sum.slice(0, 12)}… ≠ ${e.sha256.slice(0, 12)}…): copy it again`);
  }
  const missing = Object.values(lab.profile.images).filter((ref) => !index.images.some((i) => i.ref === ref));
  if (missing.length) throw new UsageError(`${dirIn} lacks ${missing.length} image(s) of profile ${lab.profile.name} (${missing.map((m) => basename(m)).join(', ')}): bundle it again`);
  const noChart = Object.keys(lab.profile.charts).filter((c) => !index.charts.some((x) => x.chart === c && x.version === lab.profile.charts[c]!.version));
  if (noChart.length) throw new UsageError(`${dirIn} lacks the chart(s) ${noChart.map((c) => `${c} ${lab.profile.charts[c]!.version}`).join(', ')} of profile ${lab.profile.name}: bundle it again`);
  return { dir, index };
}

/** The record `prefetch --from` leaves in the state folder: where each chart's .tgz is, for the install steps. */
export interface BundleRecord {
  dir: string;
  profile: string;
  charts: Record<string, string>;
}
export const bundleRecordFile = (stateDir: string) => join(stateDir, 'bundle.json');

/** The record for this profile, while every chart file it names is there; else none (the charts come from their repositories). */
export function readBundleRecord(stateDir: string, profile: string): { dir: string; charts: Record<string, string> } | undefined {
  const f = bundleRecordFile(stateDir);
  if (!existsSync(f)) return undefined;
  try {
    const r = JSON.parse(readBoundedSync(f)) as Partial<BundleRecord>;
    if (r.profile !== profile || typeof r.dir !== 'string' || !r.charts) return undefined;
    return Object.values(r.charts).every((p) => typeof p === 'string' && existsSync(p)) ? { dir: r.dir, charts: r.charts } : undefined;
  } catch {
    return undefined;
  }
}
