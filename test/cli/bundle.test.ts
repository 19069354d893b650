// A classroom without internet (FAKE docker, helm and kind): `bundle <dir>` saves every image and pulls both charts
// with checksums; `prefetch --from <dir>` checks and loads them, and from then on the install chapters take the
// charts from the bundle (no helm repo add/update). The exact command lines are what is tested.
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeWorld, runCli, type FakeRule } from '../helpers/fakes.js';
import { dockerInfo } from '../helpers/scenarios.js';
import { getProfile } from '../../scripts/lab/versions.js';
import { imageFile } from '../../scripts/lab/bundle.js';

const profile = getProfile('article');
const images = Object.values(profile.images);

let world: FakeWorld | undefined;
afterEach(() => world?.cleanup());

const rules = (): Record<string, FakeRule[]> => ({
  docker: [
    // scenarios.ts dockerInfo: docker/cli@v24.0.6 `docker info --format {{json .}}`, abbreviated
    { argv: ['info', '--format', '{{json .}}'], stdout: dockerInfo(8) },
    { prefix: ['image', 'inspect'], stdout: 'sha256:0123\n' },
    // docker save --output FILE REF writes the image's tar (docs.docker.com/engine/reference/commandline/save); the content is ours
    { prefix: ['save', '--output'], writes: { after: '--output', content: 'a tar of an image\n' } },
    // docker load --input FILE: "Loaded image: <ref>" is its last line (docker/cli@v24.0.6 cli/command/image/load.go, via the daemon's stream)
    { prefix: ['load', '--input'], stdout: 'Loaded image: x\n' },
  ],
  helm: [
    // helm pull writes <chart>-<version>.tgz into --destination (helm/helm@v3.12.3 pkg/action/pull.go); the content is ours
    { prefix: ['pull', 'kube-prometheus-stack'], writes: { after: '--destination', name: 'kube-prometheus-stack-51.2.0.tgz', content: 'chart kube-prometheus-stack\n' } },
    { prefix: ['pull', 'tempo-distributed'], writes: { after: '--destination', name: 'tempo-distributed-1.6.5.tgz', content: 'chart tempo-distributed\n' } },
  ],
  kind: [
    { argv: ['get', 'clusters'], stdout: 'tempo-lab\n' },
    // kind@v0.20.0 pkg/cmd/kind/load/docker-image/docker-image.go: 'Image: "<img>" with ID "<id>" not yet present on node "<node>", loading...'
    { prefix: ['load', 'docker-image'], stdout: 'Image: "x" with ID "sha256:0123" not yet present on node "tempo-lab-control-plane", loading...\n' },
  ],
});

describe('workbook bundle and prefetch --from (a classroom without internet)', () => {
  it('bundles every image and both charts with checksums; prefetch --from loads them; install uses the bundled charts', async () => {
    world = new FakeWorld({ rules: rules() });
    const env = world.env({ CI: 'true' });
    const dir = mkdtempSync(join(world.dir, 'usb-'));
    const b = await runCli(['bundle', dir], env);
    expect(b.code, b.stdout + b.stderr).toBe(0);
    // one docker save per image, the charts pulled by URL at their pinned versions (no helm repo add needed)
    const saves = world.calls('docker').filter((c) => c.argv[0] === 'save').map((c) => c.argv);
    expect(saves).toEqual(images.map((ref) => ['save', '--output', join(dir, imageFile(ref)), ref]));
    expect(world.calls('helm').map((c) => c.argv)).toEqual([
      ['pull', 'kube-prometheus-stack', '--repo', 'https://prometheus-community.github.io/helm-charts', '--version', '51.2.0', '--destination', join(dir, 'charts')],
      ['pull', 'tempo-distributed', '--repo', 'https://grafana.github.io/helm-charts', '--version', '1.6.5', '--destination', join(dir, 'charts')],
    ]);
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    expect(index).toMatchObject({ schema: 'tempo-workbook/bundle@1', profile: 'article' });
    for (const e of [...index.images, ...index.charts]) expect(e.sha256).toBe(createHash('sha256').update(readFileSync(join(dir, e.file))).digest('hex'));
    expect(b.stdout).toContain(`Bundled ${images.length} images and 2 charts for profile article in ${dir}. On each laptop: workbook prefetch --from ${dir}`);

    world.clearCalls();
    const p = await runCli(['prefetch', '--from', dir], env);
    expect(p.code, p.stdout + p.stderr).toBe(0);
    expect(world.calls('docker').filter((c) => c.argv[0] === 'load').map((c) => c.argv)).toEqual(images.map((ref) => ['load', '--input', join(dir, imageFile(ref))]));
    expect(world.calls('docker').some((c) => c.argv[0] === 'pull')).toBe(false);
    expect(world.calls('kind').find((c) => c.argv[0] === 'load')!.argv).toEqual(['load', 'docker-image', '--name', 'tempo-lab', ...images.filter((i) => i !== profile.kind.nodeImage)]);

    // from now on: the charts from the bundle, no helm repo add/update (plan shows it)
    const plan = await runCli(['plan', 'tempo'], env);
    expect(plan.stdout).not.toContain('helm repo add');
    expect(plan.stdout).toContain(`$ helm --kube-context kind-tempo-lab upgrade --install tempo ${join(dir, 'charts', 'tempo-distributed-1.6.5.tgz')} --namespace tracing --create-namespace --values manifests/tempo-distributed.values.yaml --wait --timeout 10m`);
  });

  it('a file that does not match its checksum is refused in one line, and nothing is loaded', async () => {
    world = new FakeWorld({ rules: rules() });
    const env = world.env({ CI: 'true' });
    const dir = mkdtempSync(join(world.dir, 'usb-'));
    expect((await runCli(['bundle', dir], env)).code).toBe(0);
    writeFileSync(join(dir, 'charts', 'tempo-distributed-1.6.5.tgz'), 'changed on the way\n');
    world.clearCalls();
    const p = await runCli(['prefetch', '--from', dir], env);
    expect(p.code).toBe(2);
    expect(p.stderr.trim()).toMatch(new RegExp(`^error: ${dir.replace(/[/.]/g, '\\$&')}: charts/tempo-distributed-1\\.6\\.5\\.tgz does not match its checksum \\([0-9a-f]{12}… ≠ [0-9a-f]{12}…\\): copy it again$`));
    expect(world.calls('docker').filter((c) => c.argv[0] === 'load')).toEqual([]);
    // and a folder with no bundle
    const none = await runCli(['prefetch', '--from', world.dir], env);
    expect(none.stderr.trim()).toBe(`error: ${world.dir}: no bundle here (no index.json; \`workbook bundle <dir>\` makes one)`);
  });

  it('a bundle that could not save everything writes no index (no classroom uses it half-made)', async () => {
    const r = rules();
    // every save fails: docker/cli prints the daemon's error ("Error response from daemon: …", moby client)
    r.docker!.splice(2, 0, { prefix: ['save', '--output'], when: { failSave: 'yes' }, stderr: 'Error response from daemon: write /usb: no space left on device\n', exitCode: 1 });
    world = new FakeWorld({ rules: r, state: { failSave: 'yes' } });
    const dir = mkdtempSync(join(world.dir, 'usb-'));
    const b = await runCli(['bundle', dir], world.env({ CI: 'true' }));
    expect(b.code).toBe(1);
    expect(b.stdout).toContain('✖ ');
    expect(b.stdout).toContain('no space left on device');
    expect(existsSync(join(dir, 'index.json'))).toBe(false);
  });

  it('a hostile or broken bundle is one line each, exit 2, nothing loaded, and nothing hangs (a FIFO, /dev/zero, ../, an outside link, wrong types, no charts)', async () => {
    world = new FakeWorld({ rules: rules() });
    const env = world.env({ CI: 'true' });
    const dir = mkdtempSync(join(world.dir, 'usb-'));
    expect((await runCli(['bundle', dir], env)).code).toBe(0);
    const good = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    const tryIndex = async (index: unknown) => {
      writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
      world!.clearCalls();
      const p = await runCli(['prefetch', '--from', dir], env, { timeoutMs: 30_000 });
      expect(world!.calls('docker').filter((c) => c.argv[0] === 'load')).toEqual([]);
      return [p.code, p.stderr.trim()];
    };
    expect(await tryIndex({ ...good, images: 'xx' })).toEqual([2, `error: ${join(dir, 'index.json')}: not a tempo-workbook/bundle@1 index (images: Expected array, received string)`]);
    expect(await tryIndex({ ...good, images: [{ ...good.images[0], sha256: 5 }] })).toEqual([2, `error: ${join(dir, 'index.json')}: not a tempo-workbook/bundle@1 index (images.0.sha256: Expected string, received number)`]);
    expect(await tryIndex({ ...good, charts: [] })).toEqual([2, `error: ${dir}: lacks the chart(s) kube-prometheus-stack 51.2.0, tempo-distributed 1.6.5 of profile article: bundle it again`.replace(`${dir}: lacks`, `${dir} lacks`)]);
    expect(await tryIndex({ ...good, charts: [{ ...good.charts[0], file: '../../etc/passwd' }] })).toEqual([2, `error: ${dir}: ../../etc/passwd is outside the bundle: refused`]);
    const { spawnSync } = await import('node:child_process');
    const mkfifoSync = (f: string) => expect(spawnSync('mkfifo', [f]).status).toBe(0);
    mkfifoSync(join(dir, 'charts', 'fifo.tgz'));
    expect(await tryIndex({ ...good, charts: [{ ...good.charts[0], file: 'charts/fifo.tgz' }, good.charts[1]] })).toEqual([2, `error: ${dir}: charts/fifo.tgz is not a regular file (a FIFO, a device or a folder): refused`]);
    const { symlinkSync } = await import('node:fs');
    symlinkSync('/etc/hostname', join(dir, 'charts', 'out.tgz'));
    expect(await tryIndex({ ...good, charts: [{ ...good.charts[0], file: 'charts/out.tgz' }, good.charts[1]] })).toEqual([2, `error: ${dir}: charts/out.tgz is a link to outside the bundle: refused`]);
    // the index itself a FIFO, or /dev/zero
    const { rmSync } = await import('node:fs');
    rmSync(join(dir, 'index.json'));
    mkfifoSync(join(dir, 'index.json'));
    const fifo = await runCli(['prefetch', '--from', dir], env, { timeoutMs: 30_000 });
    expect([fifo.code, fifo.stderr.trim()]).toEqual([2, `error: ${join(dir, 'index.json')}: ${join(dir, 'index.json')} is not a regular file`]);
    rmSync(join(dir, 'index.json'));
    symlinkSync('/dev/zero', join(dir, 'index.json'));
    const zero = await runCli(['prefetch', '--from', dir], env, { timeoutMs: 30_000 });
    expect([zero.code, zero.stderr.trim()]).toEqual([2, `error: ${join(dir, 'index.json')}: ${join(dir, 'index.json')} is not a regular file`]);
  });

  it('bundling into a file, or a folder that cannot be written: one line, exit 2', async () => {
    world = new FakeWorld({ rules: rules() });
    const env = world.env({ CI: 'true' });
    const file = join(world.dir, 'a-file');
    writeFileSync(file, 'x');
    const r = await runCli(['bundle', file], env);
    expect([r.code, r.stderr.trim()]).toEqual([2, `error: ${file}: cannot bundle there (ENOTDIR): give a folder you can write`]);
    const r2 = await runCli(['bundle', '/proc/bundle-here'], env);
    expect(r2.code).toBe(2);
    expect(r2.stderr.trim()).toMatch(/^error: \/proc\/bundle-here: cannot bundle there \(E[A-Z]+\): give a folder you can write$/);
  });
});
