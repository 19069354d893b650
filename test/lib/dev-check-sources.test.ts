// The dev check that fails loudly (as rustlings' `dev check`): chapter folders that would not load, references to
// checks that do not exist, and values keys the pinned chart does not have. Each is run on the project, and on a
// broken copy to show it speaks.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CATALOG, chapterFolderProblems, referenceProblems } from '../../scripts/core/catalog.js';
import type { Chapter } from '../../scripts/core/model.js';
import { CHALLENGES, notOnThisLab } from '../../scripts/lab/challenges.js';
import { getProfile, profileNames } from '../../scripts/lab/versions.js';
import { chartKeys, unknownKeys } from '../helpers/values.js';
import { ROOT } from '../helpers/fakes.js';
import { testLab } from '../helpers/context.js';

/**
 * Keys a chart renders though its values.yaml does not list them: tempo-distributed 1.6.5 writes `storage.trace`
 * whole into tempo.yaml (grafana/helm-charts@tempo-distributed-1.6.5 charts/tempo-distributed/values.yaml:1246–1249
 * and templates/configmap-tempo.yaml), so the s3 block of the MinIO overlay is Tempo's config, not a chart key.
 */
const RENDERED_WHOLE: Record<string, RegExp> = { 'tempo-distributed': /^storage\.trace\.s3(\.|$)/ };

/**
 * A chart's dependencies, by the key their values sit under: what the subchart itself reads decides, not the
 * defaults the parent lists for it (tempo-distributed 1.6.5 lists minio.rootUser/rootPassword, which its minio
 * 8.0.9 never reads: grafana/helm-charts#2686). `enabled` is the parent's condition.
 */
const SUBCHARTS: Record<string, Record<string, string>> = { 'tempo-distributed': { minio: 'minio-8.0.9.tsv' } };

/** For one values file laid on a chart at a version: each key the pinned chart does not have, named with the chart and version. */
function valuesProblems(file: string, chart: string, version: string): string[] {
  const fixture = `${chart}-${version}.tsv`;
  if (!existsSync(join(ROOT, 'test/fixtures/chart-keys', fixture))) return [`${file}: no key list for ${chart} ${version} (test/fixtures/chart-keys/${fixture})`];
  const keys = chartKeys(fixture);
  const values = (parse(readFileSync(join(ROOT, file), 'utf8')) ?? {}) as Record<string, unknown>;
  const subs = SUBCHARTS[chart] ?? {};
  const own = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, k in subs && v && typeof v === 'object' ? { enabled: (v as { enabled?: unknown }).enabled } : v]));
  const problems = unknownKeys(own, keys)
    .filter((k) => !RENDERED_WHOLE[chart]?.test(k))
    .map((k) => `${file}: ${k} is not a key of ${chart} ${version} (test/fixtures/chart-keys/${fixture})`);
  for (const [alias, subFixture] of Object.entries(subs)) {
    const sub = values[alias];
    if (!sub || typeof sub !== 'object') continue;
    const { enabled: _condition, ...rest } = sub as Record<string, unknown>;
    problems.push(...unknownKeys(rest, chartKeys(subFixture)).map((k) => `${file}: ${alias}.${k} is not a key of ${subFixture.replace(/\.tsv$/, '')}, ${chart} ${version}'s ${alias} (test/fixtures/chart-keys/${subFixture})`));
  }
  return problems;
}

/** Every values file each profile's install steps lay on a chart, and every challenge overlay on its chapter's chart. */
function allValuesProblems(): { checked: string[]; problems: string[] } {
  const checked: string[] = [];
  const problems: string[] = [];
  for (const name of profileNames()) {
    const lab = testLab({ profile: getProfile(name) });
    for (const ch of CATALOG) {
      const install = ch.steps.find((s) => s.id === 'install');
      if (!install) continue;
      const argv = install.command(lab).argv;
      const at = argv.indexOf('--version');
      const chart = argv[at - 1]!.split('/').at(-1)!;
      const version = argv[at + 1]!;
      // a challenge's overlay is checked against the charts of the profiles it runs on
      const overlays = CHALLENGES.flatMap((c) => (c.fault.kind === 'values' && c.fault.chapter === ch.id && !notOnThisLab(c, lab) ? [c.fault.overlay] : []));
      for (const file of [...(install.manifestsFor?.(lab) ?? install.manifests ?? []), ...overlays]) {
        checked.push(`${name}:${file}`);
        problems.push(...valuesProblems(file, chart, version));
      }
    }
  }
  return { checked, problems };
}

describe('dev check', () => {
  it('every chapter-like folder under chapters/ loads', () => {
    expect(chapterFolderProblems()).toEqual([]);
  });

  it('a folder without a lesson, or with a bad id, is named with its reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-chapters-'));
    try {
      for (const [folder, files] of [['05-traces', ['lesson.en.md', 'lesson.zh-TW.md', 'index.ts']], ['06-no-lesson', ['lesson.en.md', 'index.ts']], ['07-Bad_Id', ['lesson.en.md', 'lesson.zh-TW.md', 'index.ts']]] as const) {
        mkdirSync(join(dir, folder));
        for (const f of files) writeFileSync(join(dir, folder, f), '');
      }
      expect(chapterFolderProblems(dir).sort()).toEqual([
        'chapters/06-no-lesson: no lesson.zh-TW.md',
        'chapters/07-Bad_Id: not a chapter folder name (two digits, a dash, an id of lowercase letters, digits and dashes)',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every needs and every challenge\'s breaks names a check that exists; needs make no cycle', () => {
    const extra = CHALLENGES.flatMap((c) => c.breaks.map((ref) => ({ from: `challenge ${c.id} breaks`, ref })));
    expect(referenceProblems(CATALOG, extra)).toEqual([]);
    expect(CHALLENGES.filter((c) => !CATALOG.some((x) => x.id === c.chapter)).map((c) => `${c.id}: chapter ${c.chapter}`)).toEqual([]);
  });

  it('a need or a breaks that names nothing, and a cycle, are each named', () => {
    const t = (en: string) => ({ en, 'zh-TW': en });
    const probe = async () => ({ ok: true as const, evidence: '' });
    const ch: Chapter = { number: 1, id: 'a', dir: '01-a', after: [], title: t('a'), steps: [], checks: [
      { id: 'x', title: t('x'), needs: [{ check: 'a/y' }], probe },
      { id: 'y', title: t('y'), needs: [{ check: 'a/x' }, { check: 'a/gone' }], probe },
    ] };
    expect(referenceProblems([ch], [{ from: 'challenge c breaks', ref: 'b/nothing' }])).toEqual([
      'a/y: needs a/gone, which is not a check',
      'challenge c breaks: names b/nothing, which is not a check',
      'needs make a cycle: a/x → a/y → a/x',
    ]);
  });

  it('every key of every values file (base, profile overlays, challenge overlays) exists in the pinned chart', () => {
    const { checked, problems } = allValuesProblems();
    expect(problems).toEqual([]);
    // the base values, the MinIO overlay and every challenge overlay were read
    for (const f of ['manifests/prometheus-stack.values.yaml', 'manifests/tempo-distributed.values.yaml', 'manifests/overlays/tempo-minio.values.yaml', ...CHALLENGES.flatMap((c) => (c.fault.kind === 'values' ? [c.fault.overlay] : []))]) {
      expect(checked.some((c) => c.endsWith(`:${f}`)), f).toBe(true);
    }
  });

  it('a misspelt key in an overlay fails, naming the key and the chart version', () => {
    const dir = mkdtempSync(join(ROOT, 'dist', 'overlay-'));
    try {
      const file = join(dir, 'typo.values.yaml');
      writeFileSync(file, 'metricsGenerator:\n  config:\n    storage:\n      remote_write:\n        - url: http://x\n          send_exemplars: false\nglobal_overides:\n  metrics_generator_processors: []\n');
      const rel = file.slice(ROOT.length + 1);
      expect(valuesProblems(rel, 'tempo-distributed', '1.6.5')).toEqual([
        `${rel}: global_overides is not a key of tempo-distributed 1.6.5 (test/fixtures/chart-keys/tempo-distributed-1.6.5.tsv)`,
        `${rel}: global_overides.metrics_generator_processors is not a key of tempo-distributed 1.6.5 (test/fixtures/chart-keys/tempo-distributed-1.6.5.tsv)`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a subchart\'s key is checked against what the subchart reads: minio 8.0.9 has no rootUser (grafana/helm-charts#2686)', () => {
    const dir = mkdtempSync(join(ROOT, 'dist', 'overlay-'));
    try {
      const file = join(dir, 'minio.values.yaml');
      writeFileSync(file, 'minio:\n  enabled: true\n  rootUser: grafana-tempo\n  accessKey: grafana-tempo\n');
      const rel = file.slice(ROOT.length + 1);
      expect(valuesProblems(rel, 'tempo-distributed', '1.6.5')).toEqual([`${rel}: minio.rootUser is not a key of minio-8.0.9, tempo-distributed 1.6.5's minio (test/fixtures/chart-keys/minio-8.0.9.tsv)`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
