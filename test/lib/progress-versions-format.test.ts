import { describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KEEP_ANSWERS, ProgressStore, type ExerciseProgress } from '../../scripts/effects/progress.js';
import { MAX_READ_BYTES } from '../../scripts/core/read.js';
import { compareVersions, getProfile, loadVersions, PINNED_IMAGE, VERSIONS_FILE } from '../../scripts/lab/versions.js';
import { formatCommand, formatDuration, parseDuration, shellQuote } from '../../scripts/core/format.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'wb-p-'));

describe('ProgressStore', () => {
  it('starts empty, records, and saves atomically (no temp file left)', async () => {
    const dir = tmp();
    const s = await ProgressStore.open(dir);
    s.startChapter('cluster', 'run', new Date('2026-01-01T00:00:00Z'));
    s.record('cluster', 'steps', 'create-cluster', { status: 'passed', at: 'x', durationMs: 12 });
    s.finishChapter('cluster', 'passed', new Date('2026-01-01T00:01:30Z'));
    await s.save();
    expect(readdirSync(dir)).toEqual(['progress.json']);
    const again = await ProgressStore.open(dir);
    expect(again.data.chapters.cluster).toMatchObject({ status: 'passed', durationMs: 90_000, steps: { 'create-cluster': { status: 'passed' } } });
  });
  it('overlapping saves are queued: the file is whole and no temp file is left', async () => {
    const dir = tmp();
    const s = await ProgressStore.open(dir);
    await Promise.all(Array.from({ length: 20 }, (_, i) => (s.setFact(`k${i}`, i), s.save())));
    expect(readdirSync(dir)).toEqual(['progress.json']);
    expect(Object.keys((await ProgressStore.open(dir)).data.facts)).toHaveLength(20);
  });
  it('a corrupt file: clear notice, backup kept, fresh start', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'progress.json'), '{"version":1, "chap');
    const s = await ProgressStore.open(dir, () => new Date('2026-02-03T04:05:06.789Z'));
    expect(s.data.chapters).toEqual({});
    const backup = join(dir, 'progress.json.corrupt-2026-02-03T04-05-06-789Z');
    expect(s.notice).toBe(`progress file ${join(dir, 'progress.json')} was unreadable (not JSON); kept it as ${backup} and started fresh`);
    expect(readFileSync(backup, 'utf8')).toBe('{"version":1, "chap');
  });
  it('valid JSON of the wrong shape counts as corrupt too', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'progress.json'), '[1,2,3]');
    expect((await ProgressStore.open(dir)).notice).toMatch(/unreadable/);
  });
  it('interruptRunning marks what was running', async () => {
    const s = await ProgressStore.open(tmp());
    s.startChapter('tempo', 'run');
    expect(s.interruptRunning()).toBe(true);
    expect(s.data.chapters.tempo!.status).toBe('interrupted');
    expect(s.interruptRunning()).toBe(false);
  });
  it('reset keeps a backup and the facts (which cluster we created)', async () => {
    const dir = tmp();
    const s = await ProgressStore.open(dir);
    s.setFact("createdCluster", "tempo-lab");
    s.startChapter('cluster', 'run');
    await s.save();
    const backup = await s.reset(new Date('2026-01-01T00:00:00Z'));
    expect(backup && existsSync(backup)).toBe(true);
    expect(s.data.chapters).toEqual({});
    expect((await ProgressStore.open(dir)).data.facts.createdCluster).toBe('tempo-lab');
  });
  it('an unwritable folder is a usage error naming --state-dir', async () => {
    const dir = tmp();
    chmodSync(dir, 0o500);
    try {
      // root ignores permission bits; a file in the way of the folder fails for everyone
      const blocked = join(dir, 'file');
      writeFileSync(blocked, '');
      await expect(ProgressStore.ensureWritable(join(blocked, 'state'))).rejects.toThrow(/is not writable \((ENOTDIR|EACCES)\); choose another with --state-dir/);
    } finally {
      chmodSync(dir, 0o700);
    }
  });
});

describe('versions.yaml', () => {
  it('profile article pins what the article used', () => {
    const p = getProfile('article');
    expect(p.charts['tempo-distributed']).toMatchObject({ version: '1.6.5', appVersion: '2.2.2', repoName: 'grafana' });
    expect(p.charts['kube-prometheus-stack']!.version).toBe('51.2.0');
    expect(p.kind.nodeImage).toMatch(PINNED_IMAGE);
    expect(p.images['xk6-client-tracing']).toBe('ghcr.io/grafana/xk6-client-tracing:v0.0.2');
  });
  it('rejects a profile whose node image is not pinned by digest', () => {
    const dir = tmp();
    const f = join(dir, 'v.yaml');
    writeFileSync(f, 'default: x\nprofiles:\n  x:\n    kind: {minVersion: 0.20.0, nodeImage: "kindest/node:v1.27.3"}\n');
    expect(() => loadVersions(f)).toThrow('kind.nodeImage must be pinned as name:tag@sha256:digest');
  });
  it('every profile is parsed by one schema: a broken field of the real file is named with its profile and rule', () => {
    const real = readFileSync(VERSIONS_FILE, 'utf8');
    const broken = (from: string, to: string) => {
      expect(real).toContain(from);
      const f = join(tmp(), 'v.yaml');
      writeFileSync(f, real.replace(from, to));
      return () => loadVersions(f);
    };
    expect(broken('kafkaJars: manifests/current/kafka-4.4.0.jars.tsv', 'kafkaJars: /etc/passwd')).toThrow('profile "current": kafkaJars must be a .jars.tsv under manifests/');
    expect(broken('      kafka: manifests/current/kafka.yaml', '      kafka: manifests/current/kafka.yaml\n      grafana: manifests/x.yaml')).toThrow(/profile "current": manifests Unrecognized key\(s\) in object: 'grafana'/);
    expect(broken('    installThenWait: [tempo-distributed]', '    installThenWait: [grafana]')).toThrow('profile "article-minio": installThenWait must list charts of the profile (grafana is not one)');
    expect(broken('        version: 3.14.0', '        version: latest')).toThrow('profile "current": embedded.prometheus.version must be a version');
  });
  it('compares versions', () => {
    expect(compareVersions('v1.28.2', '1.25.0')).toBe(1);
    expect(compareVersions('0.20.0', '0.20.0')).toBe(0);
    expect(compareVersions('3.9.4+g1', '3.10.0')).toBe(-1);
  });
});

describe('format', () => {
  it('quotes only what a shell needs quoted', () => {
    expect(shellQuote('{{json .}}')).toBe("'{{json .}}'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(formatCommand(['kubectl', '--context', 'kind-tempo-lab', 'get', 'pods'])).toBe('kubectl --context kind-tempo-lab get pods');
  });
  it('durations', () => {
    expect(parseDuration('90')).toBe(90_000);
    expect(parseDuration('1500ms')).toBe(1500);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('0')).toBeUndefined();
    expect(formatDuration(61_000)).toBe('1 min 1 s');
  });
});

describe('two workbook processes on one state folder never lose each other\'s results', () => {
  it('A runs tempo while B runs prometheus: both results stay; B does not mark A\'s running chapter interrupted', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { ProgressStore } = await import('../../scripts/effects/progress.js');
    const dir = mkdtempSync(join(tmpdir(), 'wb-two-'));
    const a = await ProgressStore.open(dir);
    const b = await ProgressStore.open(dir);
    a.startChapter('tempo', 'run');
    await a.save();
    b.startChapter('prometheus', 'verify');
    b.record('prometheus', 'checks', 'prometheus-ready', { status: 'passed', at: new Date().toISOString(), durationMs: 5 });
    b.finishChapter('prometheus', 'passed');
    await b.save();
    // B is interrupted (Ctrl-C) after its chapter ended: only its own running chapters would be touched
    expect(b.interruptRunning()).toBe(false);
    await b.save();
    a.record('tempo', 'checks', 'ready', { status: 'passed', at: new Date().toISOString(), durationMs: 5 });
    a.finishChapter('tempo', 'passed');
    await a.save();
    const disk = await ProgressStore.open(dir);
    expect(disk.data.chapters.prometheus?.status).toBe('passed');
    expect(disk.data.chapters.tempo?.status).toBe('passed');
    expect(disk.data.chapters.tempo?.checks.ready?.status).toBe('passed');
    // A's view took in B's result too
    expect(a.data.chapters.prometheus?.status).toBe('passed');
  });

  it('saves from many concurrent writers all land (a lock orders them; no partial file)', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { ProgressStore } = await import('../../scripts/effects/progress.js');
    const dir = mkdtempSync(join(tmpdir(), 'wb-many-'));
    const stores = await Promise.all(Array.from({ length: 8 }, () => ProgressStore.open(dir)));
    await Promise.all(
      stores.map(async (s, i) => {
        s.startChapter(`c${i}`, 'verify');
        s.finishChapter(`c${i}`, 'passed');
        s.setFact(`f${i}`, i);
        await s.save();
      }),
    );
    const disk = await ProgressStore.open(dir);
    expect(Object.keys(disk.data.chapters).sort()).toEqual(stores.map((_, i) => `c${i}`).sort());
    expect(Object.keys(disk.data.facts).length).toBe(8);
  });
});

describe('a progress file of a newer workbook', () => {
  it('is reported as newer (exit 2) and left where it is, not called corrupt and moved aside', async () => {
    const { mkdtempSync, writeFileSync, readdirSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { ProgressStore } = await import('../../scripts/effects/progress.js');
    const dir = mkdtempSync(join(tmpdir(), 'wb-newer-'));
    writeFileSync(join(dir, 'progress.json'), JSON.stringify({ version: 2, chapters: {}, facts: {}, somethingNew: true }));
    await expect(ProgressStore.open(dir)).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('was written by a newer tempo-workbook (format 2') });
    expect(readdirSync(dir)).toEqual(['progress.json']);
  });
});

describe('profiles hold any number of charts (data, not code)', () => {
  it('a profile with a third chart loads; a step of a chart the profile does not pin fails with one line', async () => {
    const { mkdtempSync, writeFileSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { parse, stringify } = await import('yaml');
    const { VERSIONS_FILE } = await import('../../scripts/lab/versions.js');
    const { chartSteps } = await import('../../scripts/lab/helm.js');
    const doc = parse(readFileSync(VERSIONS_FILE, 'utf8'), { merge: true });
    doc.profiles.article.charts.loki = { repoName: 'grafana', repoUrl: 'https://grafana.github.io/helm-charts', version: '5.0.0' };
    delete doc.profiles['article-minio'];
    const file = join(mkdtempSync(join(tmpdir(), 'wb-prof-')), 'versions.yaml');
    writeFileSync(file, stringify(doc));
    const p = getProfile('article', file);
    expect(Object.keys(p.charts)).toEqual(['kube-prometheus-stack', 'tempo-distributed', 'loki']);
    const [add] = chartSteps({ chart: 'loki', release: 'loki', namespace: () => 'logs', values: 'manifests/loki.values.yaml', install: { title: { en: 'x', 'zh-TW': 'x' }, why: { en: 'x', 'zh-TW': 'x' } }, versionWhy: { en: 'x', 'zh-TW': 'x' } });
    expect(add!.command(testLabOf(p)).argv).toEqual(['helm', 'repo', 'add', 'grafana', 'https://grafana.github.io/helm-charts', '--force-update']);
    const [none] = chartSteps({ chart: 'nope', release: 'n', namespace: () => 'n', values: 'v', install: { title: { en: 'x', 'zh-TW': 'x' }, why: { en: 'x', 'zh-TW': 'x' } }, versionWhy: { en: 'x', 'zh-TW': 'x' } });
    expect(() => none!.command(testLabOf(p))).toThrow('profile "article" pins no chart nope (manifests/versions.yaml)');
  });
});

function testLabOf(profile: ReturnType<typeof getProfile>) {
  return { lang: 'en', profile, clusterName: 'tempo-lab', context: 'kind-tempo-lab', namespaces: { prometheus: 'prometheus', tracing: 'tracing' }, urls: {}, timeoutMs: 1000, yes: true, interactive: false, ci: true, stateDir: '/tmp', showSecrets: false, grafanaAuth: {}, localPorts: {} } as never;
}

describe('JUnit text keeps only what XML 1.0 allows', () => {
  it('every class: C0 and C1 controls, ESC, lone surrogates, U+FFFE and U+FFFF go; tab, newline, CJK, emoji (a surrogate pair) stay', async () => {
    const { xmlText } = await import('../../scripts/ui/report.js');
    const kept = 'tab\there\nline 中文 😀 \uE000 \uFFFD';
    const dropped = '\x00\x01\x08\x0b\x0c\x1f\x7f\x80\x9f\x1b\uD800x\uDC00\uDBFF\uFFFE\uFFFF';
    expect(xmlText(kept + dropped)).toBe(`${kept}x`);
    // what is left parses as XML 1.0 character data: no code point outside the Char production
    const allowed = /^[\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
    expect(allowed.test(xmlText(kept + dropped))).toBe(true);
  });
});

describe('exercise answers cannot undo each other or outgrow the file', () => {
  it('two answers at once (opened before either saved): the solve stays, both answers are kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-race-'));
    try {
      const right = await ProgressStore.open(dir);
      const wrong = await ProgressStore.open(dir);
      const answer = (ok: boolean, at: string) => (p: ExerciseProgress | undefined): ExerciseProgress => {
        const base = p ?? { firstTriedAt: at, attempts: [] };
        const attempts = [...base.attempts, { at, answer: ok ? 'right' : 'wrong', right: ok, evidence: '' }];
        return !ok || base.solvedAt ? { ...base, attempts } : { ...base, attempts, solvedAt: at, timeToSolveMs: 0 };
      };
      right.setExercise('find-forbidden', answer(true, '2026-12-06T10:00:01Z'));
      wrong.setExercise('find-forbidden', answer(false, '2026-12-06T10:00:02Z'));
      // the right one saves first, the slower wrong one after
      await right.save();
      await wrong.save();
      const saved = (await ProgressStore.open(dir)).data.exercises!['find-forbidden']!;
      expect(saved.solvedAt).toBe('2026-12-06T10:00:01Z');
      expect(saved.attempts.map((a) => a.answer)).toEqual(['right', 'wrong']);
      // a further save of the same process adds nothing twice
      await wrong.save();
      expect((await ProgressStore.open(dir)).data.exercises!['find-forbidden']!.attempts).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it(`long answers: the newest ${KEEP_ANSWERS.count} kept, each cut, so 34 answers of 200 KB stay far below the file's limit`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-long-'));
    try {
      for (let i = 0; i < 34; i++) {
        const s = await ProgressStore.open(dir);
        s.setExercise('slow-authenticate', (p) => ({ firstTriedAt: p?.firstTriedAt ?? 'x', attempts: [...(p?.attempts ?? []), { at: String(i), answer: 'q'.repeat(200_000), right: false, evidence: 'e'.repeat(200_000) }] }));
        await s.save();
      }
      const data = (await ProgressStore.open(dir)).data.exercises!['slow-authenticate']!;
      expect(data.attempts).toHaveLength(KEEP_ANSWERS.count);
      expect(data.attempts.at(-1)!.at).toBe('33');
      expect(data.attempts[0]!.answer.length).toBe(KEEP_ANSWERS.answerChars + 1);
      expect(statSync(join(dir, 'progress.json')).size).toBeLessThan(MAX_READ_BYTES / 10);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a file over the limit is set aside like a corrupt one: the learner is never locked out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-huge-'));
    try {
      writeFileSync(join(dir, 'progress.json'), `{"version":1,"facts":{},"chapters":{},"pad":"${'x'.repeat(MAX_READ_BYTES)}"}`);
      const s = await ProgressStore.open(dir);
      expect(s.notice).toMatch(/^progress file .*progress\.json was unreadable \(.* more than the 4 MiB a workbook file may have\); kept it as .*progress\.json\.corrupt-.* and started fresh$/);
      expect(s.data.chapters).toEqual({});
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
