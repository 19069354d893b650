import { xk6Manifest } from '../helpers/values.js';
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeWorld, ROOT, runCli, type FakeRule } from '../helpers/fakes.js';
import { daemonDown, dockerInfo } from '../helpers/scenarios.js';
import { getProfile } from '../../scripts/lab/versions.js';
import { readValues } from '../helpers/values.js';
import { parseAllDocuments } from 'yaml';

const profile = getProfile('article');
const images = Object.values(profile.images);
const rows = readFileSync(join(ROOT, 'test/fixtures/chart-images.tsv'), 'utf8')
  .split('\n')
  .filter((l) => l && !l.startsWith('#'))
  .map((l) => l.split('\t') as [string, string, string]);
/** Each pinned chart with the dependencies its version resolves to (chart-images.tsv's headers name the sources). */
const RESOLVES: Record<string, string[]> = {
  'kube-prometheus-stack@51.2.0': ['grafana@6.59.5', 'kube-state-metrics@5.12.1', 'prometheus-node-exporter@4.23.1'],
  'kube-prometheus-stack@88.5.3': ['grafana@12.11.1', 'kube-state-metrics@8.4.0', 'prometheus-node-exporter@4.56.1'],
};
/** The default images of a profile's charts, from the fixture. */
const chartImagesOf = (p: ReturnType<typeof getProfile>) => {
  const charts = Object.entries(p.charts).flatMap(([c, pin]) => [`${c}@${pin.version}`, ...(RESOLVES[`${c}@${pin.version}`] ?? [])]);
  return rows.filter(([c]) => charts.includes(c)).map(([, , i]) => i);
};

describe.each(['article', 'current'])('the image list of profile %s in versions.yaml is complete', (name) => {
  const p = getProfile(name);
  const listed = Object.values(p.images);
  const chartImages = chartImagesOf(p);
  const ours = [xk6Manifest(p.manifests!['xk6-client-tracing']).deployment.spec.template.spec.containers[0].image, ...(p.manifests?.kafka ? [kafkaImage(p.manifests.kafka)] : [])];

  it('holds every default image of the pinned charts', () => {
    expect(chartImages.length).toBeGreaterThan(0);
    expect(chartImages.filter((i) => !listed.includes(i))).toEqual([]);
  });
  it('holds the images of our manifests, the kind node image, and nothing else', () => {
    for (const i of ours) expect(listed).toContain(i);
    expect(listed).toContain(p.kind.nodeImage);
    expect(listed.filter((i) => !chartImages.includes(i) && !ours.includes(i) && i !== p.kind.nodeImage)).toEqual([]);
  });
  it('agrees with the pinned app versions, and our values override no image', () => {
    expect(p.images.tempo).toBe(`docker.io/grafana/tempo:${p.charts['tempo-distributed']!.appVersion}`);
    expect(p.images['prometheus-operator']).toContain(`:${p.charts['kube-prometheus-stack']!.appVersion}`);
    const hasImageKey = (v: unknown): boolean => !!v && typeof v === 'object' && Object.entries(v).some(([k, x]) => k === 'image' || hasImageKey(x));
    for (const f of Object.values(p.values ?? {})) expect(hasImageKey(readValues(f.replace(/^manifests\//, '')))).toBe(false);
    expect(hasImageKey(readValues('tempo-distributed.values.yaml'))).toBe(false);
    expect(hasImageKey(readValues('prometheus-stack.values.yaml'))).toBe(false);
  });
});

/** The broker's image in a Kafka manifest (manifests/current/kafka.yaml). */
function kafkaImage(file: string): string {
  const docs = parseAllDocuments(readFileSync(join(ROOT, file), 'utf8')).map((d) => d.toJSON());
  return docs.find((d) => d.kind === 'Deployment').spec.template.spec.containers[0].image;
}

let world: FakeWorld | undefined;
afterEach(() => world?.cleanup());

function dockerRules(present: string[], failing: string[] = []): FakeRule[] {
  return [
    // the daemon answers (scenarios.ts dockerInfo: docker/cli@v24.0.6 `docker info --format {{json .}}`, abbreviated)
    { argv: ['info', '--format', '{{json .}}'], stdout: dockerInfo(8) },
    ...present.map((ref) => ({ argv: ['image', 'inspect', '--format', '{{.Id}}', ref], stdout: 'sha256:0123\n' })),
    // docker/cli@v24.0.6: daemon errors are printed as "Error response from daemon: <msg>" (moby client); "Status: Downloaded newer image for …" is docker pull's last line (abbreviated)
    { prefix: ['image', 'inspect'], stderr: 'Error response from daemon: No such image\n', exitCode: 1 },
    ...failing.map((ref) => ({ argv: ['pull', ref], stderr: `Error response from daemon: Get "https://registry/v2/": net/http: TLS handshake timeout\n`, exitCode: 1 })),
    { prefix: ['pull'], stdout: 'Status: Downloaded newer image\n' },
  ];
}

describe('workbook prefetch (fake docker and kind)', () => {
  it('pulls only what is missing, then loads everything but the node image into the lab cluster', async () => {
    const present = [profile.images.tempo!, profile.images.grafana!];
    // kind@v0.20.0 pkg/cmd/kind/load/docker-image/docker-image.go: 'Image: "<img>" with ID "<id>" not yet present on node "<node>", loading...'
    world = new FakeWorld({ rules: { docker: dockerRules(present), kind: [{ argv: ['get', 'clusters'], stdout: 'tempo-lab\n' }, { prefix: ['load', 'docker-image'], stdout: 'Image: "x" with ID "sha256:0123" not yet present on node "tempo-lab-control-plane", loading...\n' }] } });
    const r = await runCli(['prefetch'], world.env({ CI: 'true' }));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const pulls = world.calls('docker').filter((c) => c.argv[0] === 'pull').map((c) => c.argv[1]);
    expect(pulls.sort()).toEqual(images.filter((i) => !present.includes(i)).sort());
    expect(world.calls('docker').filter((c) => c.argv[0] === 'image')).toHaveLength(images.length);
    const load = world.calls('kind').find((c) => c.argv[0] === 'load')!;
    expect(load.argv.slice(0, 4)).toEqual(['load', 'docker-image', '--name', 'tempo-lab']);
    expect(load.argv.slice(4)).toEqual(images.filter((i) => i !== profile.kind.nodeImage));
    expect(r.stdout).toContain(`${images.length - 2} pulled, 2 already present, 0 failed`);
    expect(r.stdout).toContain(`loaded ${images.length - 1} images into cluster tempo-lab`);
    // and says which k6 script the xk6 pod will run (manifests/xk6-client-tracing.yaml)
    expect(r.stdout).toContain("xk6 runs the workbook's script from ConfigMap xk6-shop-script (/scripts/shop.js): no internet needed once the image is loaded");
  });

  it('before the cluster exists: pulls, and says to run it again after chapter 1', async () => {
    // kind@v0.20.0 pkg/cmd/kind/get/clusters/clusters.go prints "No kind clusters found." when there are none
    world = new FakeWorld({ rules: { docker: dockerRules([]), kind: [{ argv: ['get', 'clusters'], stdout: 'No kind clusters found.\n' }] } });
    const r = await runCli(['prefetch'], world.env({ CI: 'true' }));
    expect(r.code).toBe(0);
    expect(world.calls('kind').map((c) => c.argv[0])).toEqual(['get']);
    expect(r.stdout).toContain('cluster tempo-lab does not exist yet');
  });

  it('a failed pull is reported with its error, exit 1; the rest still load', async () => {
    const bad = profile.images['xk6-client-tracing']!;
    world = new FakeWorld({ rules: { docker: dockerRules([], [bad]), kind: [{ argv: ['get', 'clusters'], stdout: 'tempo-lab\n' }, { prefix: ['load', 'docker-image'], stdout: 'ok\n' }] } });
    const r = await runCli(['prefetch'], world.env({ CI: 'true' }));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`✖ ${bad}: Error response from daemon: Get "https://registry/v2/": net/http: TLS handshake timeout`);
    expect(world.calls('kind').find((c) => c.argv[0] === 'load')!.argv).not.toContain(bad);
  });
});

describe('workbook prefetch with the Docker daemon down', () => {
  it('one cause, said once, with the doctor\'s hint; nothing is pulled; exit 1', async () => {
    world = new FakeWorld({ rules: { docker: daemonDown, kind: [] } });
    const r = await runCli(['prefetch'], world.env({ CI: 'true' }));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✖ docker info: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?');
    expect(r.stdout).toContain('hint: The Docker daemon is not running or not reachable');
    expect(r.stdout.match(/Cannot connect/g)).toHaveLength(1);
    expect(world.calls('docker').map((c) => c.argv.join(' '))).toEqual(['info --format {{json .}}']);
  });
});

