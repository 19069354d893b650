import { CATALOG } from '../../scripts/core/catalog.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { FakeWorld, runCli } from '../helpers/fakes.js';
import { daemonDown, goodMachine, lowMemory } from '../helpers/scenarios.js';
import { freePort } from '../../scripts/effects/portforward.js';

let world: FakeWorld | undefined;
afterEach(() => world?.cleanup());

async function portsEnv() {
  const [g, p, t] = [await freePort(), await freePort(), await freePort()];
  return { WORKBOOK_PORTS: `grafana=${g},prometheus=${p},tempo=${t}`, ports: { g, p, t } };
}

describe('workbook doctor (CI=true, fake tools on PATH)', () => {
  it('passes on a good machine and runs exactly the expected read-only commands', async () => {
    world = new FakeWorld(goodMachine());
    const { WORKBOOK_PORTS } = await portsEnv();
    const r = await runCli(['doctor'], world.env({ CI: 'true', WORKBOOK_PORTS }));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('docker 24.0.6 (≥ 20.10.0)');
    expect(r.stdout).toContain('8.0 GiB available to containers');
    expect(r.stdout).toContain('kind 0.20.0 (≥ 0.20.0)');
    expect(r.stdout).toContain('kubectl 1.28.2 (≥ 1.25.0)');
    expect(r.stdout).toContain('helm 3.12.3 (≥ 3.10.0)');
    expect(r.stdout).toContain('max_user_watches=524288, max_user_instances=512');
    expect(r.stdout).toContain(`${CATALOG[0]!.checks.length}/${CATALOG[0]!.checks.length} passed`);
    // the doctor's checks run at once: exactly these read-only commands, in any order
    expect(world.calls().map((c) => [c.tool, ...c.argv].join(' ')).sort()).toEqual([
      'docker info --format {{json .}}',
      'docker info --format {{json .}}',
      'docker version --format {{.Client.Version}}',
      'helm version --template {{.Version}}',
      'kind version',
      'kubectl version --client --output=json',
      'sysctl -n fs.inotify.max_user_watches fs.inotify.max_user_instances',
    ]);
    const progress = world.progress();
    expect(progress.chapters.prerequisites.status).toBe('passed');
    expect(r.stdout).not.toContain('workbook lab up');
    expect(Object.keys(progress.chapters.prerequisites.checks)).toHaveLength(CATALOG[0]!.checks.length);
  });

  it('tools missing: kind, kubectl and helm each fail with one line saying how to install', async () => {
    world = new FakeWorld(goodMachine(), ['docker', 'sysctl']);
    const r = await runCli(['doctor'], world.env({ CI: 'true', WORKBOOK_PORTS: (await portsEnv()).WORKBOOK_PORTS }));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✖ [prerequisites/kind] kind not found on PATH');
    expect(r.stdout).toContain('hint: Install kind 0.20.0 or newer');
    expect(r.stdout).toContain('✖ [prerequisites/kubectl] kubectl not found on PATH');
    expect(r.stdout).toContain('✖ [prerequisites/helm] helm not found on PATH');
    expect(r.stdout).toContain('hint: Install helm 3.10.0 or newer');
    expect(r.stdout).not.toContain('[prerequisites/docker');
  });

  it('daemon down: docker-daemon and docker-memory fail and say how to start Docker', async () => {
    world = new FakeWorld(goodMachine({ docker: daemonDown }));
    const r = await runCli(['doctor'], world.env({ CI: 'true', WORKBOOK_PORTS: (await portsEnv()).WORKBOOK_PORTS }));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✖ [prerequisites/docker-daemon] docker info failed: Cannot connect to the Docker daemon');
    expect(r.stdout).toContain('sudo systemctl start docker');
    expect(r.stdout).toContain('[prerequisites/docker-memory]');
    // the CLI itself is fine: docker version printed the client's version before failing on the daemon
    expect(r.stdout).not.toContain('[prerequisites/docker-cli]');
    expect(r.stdout).toContain('docker 24.0.6 (≥ 20.10.0)');
    expect(world.progress().chapters.prerequisites.status).toBe('failed');
    // and offers the embedded lab, saying what the kind lab adds
    expect(r.stdout).toContain('No Docker daemon or no kind here? `workbook lab up` runs the embedded lab instead');
  });

  it('low memory: says how much there is and how to raise it', async () => {
    world = new FakeWorld(goodMachine({ docker: lowMemory }));
    const r = await runCli(['doctor'], world.env({ CI: 'true', WORKBOOK_PORTS: (await portsEnv()).WORKBOOK_PORTS }));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✖ [prerequisites/docker-memory] 3.8 GiB available to containers, need 6 GiB');
    expect(r.stdout).toContain('Settings → Resources → Memory');
  });

  it('docker missing or too old: docker-cli fails with the install hint', async () => {
    world = new FakeWorld(goodMachine(), ['kind', 'kubectl', 'helm', 'sysctl']);
    const gone = await runCli(['doctor'], world.env({ CI: 'true', WORKBOOK_PORTS: (await portsEnv()).WORKBOOK_PORTS }));
    expect(gone.stdout).toContain('✖ [prerequisites/docker-cli] docker not found on PATH');
    expect(gone.stdout).toContain('hint: Install Docker');
    world.cleanup();
    world = new FakeWorld(goodMachine({ docker: [{ argv: ['version', '--format', '{{.Client.Version}}'], stdout: '19.03.8\n' }, { argv: ['info', '--format', '{{json .}}'], stdout: '{}' }] }));
    const old = await runCli(['doctor'], world.env({ CI: 'true', WORKBOOK_PORTS: (await portsEnv()).WORKBOOK_PORTS }));
    expect(old.stdout).toContain('✖ [prerequisites/docker-cli] docker 19.03.8 < 20.10.0');
  });

  it('old versions fail with the version found and the minimum', async () => {
    world = new FakeWorld(
      goodMachine({
        kind: [{ argv: ['version'], stdout: 'kind v0.17.0 go1.19.2 linux/amd64\n' }],
        helm: [{ argv: ['version', '--template', '{{.Version}}'], stdout: 'v3.8.1' }],
      }),
    );
    const r = await runCli(['doctor'], world.env({ CI: 'true', WORKBOOK_PORTS: (await portsEnv()).WORKBOOK_PORTS }));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✖ [prerequisites/kind] kind 0.17.0 < 0.20.0');
    expect(r.stdout).toContain('✖ [prerequisites/helm] helm 3.8.1 < 3.10.0');
  });

  it('low inotify limits: names the sysctl command that raises them', async () => {
    world = new FakeWorld(goodMachine({ sysctl: [{ argv: ['-n', 'fs.inotify.max_user_watches', 'fs.inotify.max_user_instances'], stdout: '8192\n128\n' }] }));
    const r = await runCli(['doctor'], world.env({ CI: 'true', WORKBOOK_PORTS: (await portsEnv()).WORKBOOK_PORTS }));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('max_user_watches=8192, max_user_instances=128');
    expect(r.stdout).toContain('sudo sysctl fs.inotify.max_user_watches=524288 && sudo sysctl fs.inotify.max_user_instances=512');
  });

  it('a taken port is a warning, not a failure', async () => {
    world = new FakeWorld(goodMachine());
    const env = await portsEnv();
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(env.ports.p, '127.0.0.1', () => r()));
    try {
      const r = await runCli(['doctor'], world.env({ CI: 'true', WORKBOOK_PORTS: env.WORKBOOK_PORTS }));
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`⚠ [prerequisites/port-prometheus] 127.0.0.1:${env.ports.p} is in use`);
      expect(r.stdout).toContain('forward prometheus to another free port');
    } finally {
      server.close();
    }
  });

  it('speaks Traditional Chinese with --lang zh-TW', async () => {
    world = new FakeWorld(goodMachine({ docker: lowMemory }));
    const r = await runCli(['doctor', '--lang', 'zh-TW'], world.env({ CI: 'true', WORKBOOK_PORTS: (await portsEnv()).WORKBOOK_PORTS }));
    expect(r.stdout).toContain('提示：');
    expect(r.stdout).toContain('請增加 Docker 可用的記憶體');
    expect(r.stdout).toContain('Docker 可用記憶體至少 6 GiB');
  });

  it('the CPU: x64 runs the trace generator\'s image natively; arm64 is warned (an advisory) and offered workbook traffic', async () => {
    world = new FakeWorld(goodMachine());
    const ports = (await portsEnv()).WORKBOOK_PORTS;
    const x64 = await runCli(['doctor', '--json', '-'], world.env({ CI: 'true', WORKBOOK_PORTS: ports, WORKBOOK_ARCH: 'x64' }));
    const item = (out: string) => JSON.parse(out).chapters[0].items.find((i: { id: string }) => i.id === 'arch');
    expect(item(x64.stdout)).toMatchObject({ status: 'passed', evidence: 'x64: ghcr.io/grafana/xk6-client-tracing:v0.0.2 is published for linux/amd64' });
    const arm = await runCli(['doctor', '--json', '-'], world.env({ CI: 'true', WORKBOOK_PORTS: ports, WORKBOOK_ARCH: 'arm64' }));
    expect(arm.code).toBe(0);
    expect(item(arm.stdout)).toMatchObject({ status: 'warned', evidence: 'arm64: ghcr.io/grafana/xk6-client-tracing:v0.0.2 is published for linux/amd64 only' });
    expect(item(arm.stdout).hint.en).toContain('`workbook traffic` sends the same three templates from your machine');
    // the current profile's generator, v0.0.10, is built for arm64 too: no warning there
    const current = await runCli(['doctor', '--profile', 'current', '--json', '-'], world.env({ CI: 'true', WORKBOOK_PORTS: ports, WORKBOOK_ARCH: 'arm64' }));
    expect(item(current.stdout)).toMatchObject({ status: 'passed', evidence: 'arm64: ghcr.io/grafana/xk6-client-tracing:v0.0.10 is published for linux/amd64 and linux/arm64' });
  });
});
