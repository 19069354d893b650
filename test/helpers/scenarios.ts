// Canned answers of the FAKE kind/helm/kubectl/docker/sysctl. Nothing here was captured from a real tool on this
// machine (no Docker engine, kind or helm runs here); each answer names the upstream source of its shape. Where a
// value is ours (names, versions, sizes), the comment says so.
import type { FakeRule, Scenario } from './fakes.js';

const GIB = 1024 ** 3;

/** `docker info --format '{{json .}}'`: fields of docker/cli@v24.0.6 (types of moby/moby@v24.0.6 api/types/types.go: Info.ServerVersion, MemTotal, NCPU, OperatingSystem); values ours. */
export function dockerInfo(memGiB: number): string {
  return JSON.stringify({ ServerVersion: '24.0.6', MemTotal: Math.round(memGiB * GIB), NCPU: 4, OperatingSystem: 'Docker Desktop' }) + '\n';
}

/** A machine with everything the lab needs. Each piece can be replaced per test. */
export function goodMachine(over: Partial<Record<string, FakeRule[]>> = {}): Scenario {
  return {
    rules: {
      docker: [
        // Go template over docker/cli@v24.0.6 cli/command/system/version.go (Client.Version)
        { argv: ['version', '--format', '{{.Client.Version}}'], stdout: '24.0.6\n' },
        { argv: ['info', '--format', '{{json .}}'], stdout: dockerInfo(8) },
      ],
      // kubernetes-sigs/kind@v0.20.0 pkg/cmd/kind/version/version.go: "kind v<version> <go version> <os>/<arch>"
      kind: [{ argv: ['version'], stdout: 'kind v0.20.0 go1.20.4 linux/amd64\n' }],
      // kubernetes/kubectl@v0.28.2 pkg/cmd/version/version.go: JSON {clientVersion: version.Info, kustomizeVersion}
      kubectl: [{ argv: ['version', '--client', '--output=json'], stdout: JSON.stringify({ clientVersion: { gitVersion: 'v1.28.2' }, kustomizeVersion: 'v5.0.4' }) }],
      // helm/helm@v3.12.3 cmd/helm/version.go: --template over version.BuildInfo (.Version)
      helm: [{ argv: ['version', '--template', '{{.Version}}'], stdout: 'v3.12.3' }],
      // procps sysctl -n: one value a line, in the order asked; the values are common distro defaults raised for kind
      // (kubernetes-sigs/kind@v0.20.0 site/content/docs/user/known-issues.md, "Pod errors due to too many open files")
      sysctl: [{ argv: ['-n', 'fs.inotify.max_user_watches', 'fs.inotify.max_user_instances'], stdout: '524288\n512\n' }],
      ...over,
    },
  };
}

/**
 * A machine where chapter 1 never ran: kubectl knows no context, and current-context is unset (kubectl's
 * "error: current-context is not set", kubernetes/kubectl@v0.28.2 pkg/cmd/config/current_context.go).
 */
export function noClusterMachine(over: Partial<Record<string, FakeRule[]>> = {}): Scenario {
  const machine = goodMachine(over);
  return {
    rules: {
      ...machine.rules,
      kubectl: [...machine.rules.kubectl!, { argv: ['config', 'get-contexts', '--output=name'], stdout: '' }, { argv: ['config', 'current-context'], stderr: 'error: current-context is not set\n', exitCode: 1 }],
    },
  };
}

/**
 * As the real docker CLI does with no daemon: `docker version` prints the client's version, then exits 1; the
 * message is docker/cli@v24.0.6 cli/command/cli.go's daemon connection error (via moby client errors.go
 * ErrorConnectionFailed: "Cannot connect to the Docker daemon at %s. Is the docker daemon running?").
 */
export const daemonDown: FakeRule[] = [
  { argv: ['version', '--format', '{{.Client.Version}}'], stdout: '24.0.6\n', stderr: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n', exitCode: 1 },
  {
    argv: ['info', '--format', '{{json .}}'],
    stdout: '',
    stderr: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n',
    exitCode: 1,
  },
];

export const lowMemory: FakeRule[] = [
  { argv: ['version', '--format', '{{.Client.Version}}'], stdout: '24.0.6\n' },
  { argv: ['info', '--format', '{{json .}}'], stdout: dockerInfo(3.8) },
];

/** A Pod as `kubectl get -o json` lists it: the fields of kubernetes/api@v0.27.3 core/v1 types.go the checks read. */
export function pod(name: string, labels: Record<string, string>, ready = true) {
  return { metadata: { name, labels }, status: { phase: ready ? 'Running' : 'Pending', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } };
}

/**
 * The pods `kubectl get pods -n tracing` lists in the article (shared/seed, the pod names), with the chart's labels
 * (grafana/helm-charts@tempo-distributed-1.6.5 templates/_helpers.tpl tempo.labels; shared/reference/charts-audit.md).
 */
export function tempoPods(): ReturnType<typeof pod>[] {
  const t = (name: string, component: string) => pod(name, { 'app.kubernetes.io/instance': 'tempo', 'app.kubernetes.io/component': component });
  return [
    t('tempo-compactor-86c45959f5-wrxkz', 'compactor'),
    t('tempo-distributor-c57c5d9cb-7jxhf', 'distributor'),
    t('tempo-gateway-5b9bbd9694-rzzkq', 'gateway'),
    t('tempo-ingester-0', 'ingester'),
    t('tempo-ingester-1', 'ingester'),
    t('tempo-ingester-2', 'ingester'),
    t('tempo-memcached-0', 'memcached'),
    t('tempo-metrics-generator-57d596755d-kzg22', 'metrics-generator'),
    t('tempo-querier-b75fc4c4c-nv6vv', 'querier'),
    t('tempo-query-frontend-7d7547b67f-89fzc', 'query-frontend'),
  ];
}

const K = ['--context', 'kind-tempo-lab'];

/** kubectl's answers that the lab's context exists (asked once before the first port-forward or cluster step). */
export const LAB_CONTEXT: FakeRule[] = [
  { argv: ['config', 'get-contexts', '--output=name'], stdout: 'kind-tempo-lab\n' },
  { argv: ['config', 'current-context'], stdout: 'kind-tempo-lab\n' },
];
export const LAB_CONTEXT_CALLS = ['config get-contexts --output=name', 'config current-context'];

/**
 * A running lab as kubectl (a fake) sees it: context, nodes, CoreDNS, Tempo and xk6 pods, Grafana's secret.
 * Shapes: kubectl config get-contexts -o name (one name a line; kubernetes/kubectl@v0.27.3
 * pkg/cmd/config/get_contexts.go), Node/Deployment/Secret of kubernetes/api@v0.27.3; the node name
 * "<cluster>-control-plane" is kind's (kubernetes-sigs/kind@v0.20.0 pkg/cluster/internal/create/create.go); the
 * Grafana secret keys admin-user/admin-password are grafana/helm-charts@grafana-6.59.5 templates/secret.yaml's;
 * "prom-operator" is kube-prometheus-stack 51.2.0's grafana.adminPassword default.
 */
export function labKubectl(grafanaPassword = 'prom-operator'): FakeRule[] {
  return [
    { argv: ['version', '--client', '--output=json'], stdout: JSON.stringify({ clientVersion: { gitVersion: 'v1.28.2' } }) },
    { argv: ['config', 'get-contexts', '--output=name'], stdout: 'kind-tempo-lab\n' },
    { argv: ['config', 'current-context'], stdout: 'kind-tempo-lab\n' },
    { argv: [...K, 'get', 'nodes', '--output=json'], stdout: JSON.stringify({ items: [{ metadata: { name: 'tempo-lab-control-plane' }, status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.27.3' } } }] }) },
    { argv: [...K, 'get', 'deployment', 'coredns', '--namespace', 'kube-system', '--output=json'], stdout: JSON.stringify({ spec: { replicas: 2 }, status: { readyReplicas: 2 } }) },
    { argv: [...K, 'get', 'pods', '--namespace', 'tracing', '--selector', 'app.kubernetes.io/instance=tempo', '--output=json'], stdout: JSON.stringify({ items: tempoPods() }) },
    { argv: [...K, 'get', 'pods', '--namespace', 'tracing', '--selector', 'app=xk6-tracing', '--output=json'], stdout: JSON.stringify({ items: [pod('xk6-tracing-6f7d8c9b5-x2x9q', { app: 'xk6-tracing' })] }) },
    {
      argv: [...K, 'get', 'secret', 'prometheus-stack-grafana', '--namespace', 'prometheus', '--output=json'],
      stdout: JSON.stringify({ data: { 'admin-user': Buffer.from('admin').toString('base64'), 'admin-password': Buffer.from(grafanaPassword).toString('base64') } }),
    },
  ];
}

/**
 * A lab whose slow steps take time (fake sleeps): pulls 250 ms each, kind create 900 ms, installs 700 ms (ours).
 * "Error: No such image" is docker/cli@v24.0.6 image inspect's not-found error; the other outputs are abbreviated
 * first lines of the tools' own (docker pull's final status, kind create's first line, helm's STATUS line).
 */
export function slowLab(): Scenario {
  const good = goodMachine();
  return {
    rules: {
      ...good.rules,
      // an image is missing until it has been pulled once
      docker: [
        ...good.rules.docker!,
        { prefix: ['image', 'inspect'], when: { 'pulled:{{argv4}}': true }, stdout: 'sha256:0123\n' },
        { prefix: ['image', 'inspect'], stderr: 'Error: No such image\n', exitCode: 1 },
        { prefix: ['pull'], stdout: 'Status: Downloaded newer image\n', set: { 'pulled:{{argv1}}': true }, sleepMs: 250 },
      ],
      kind: [...good.rules.kind!, { argv: ['get', 'clusters'], stdout: '{{clusters}}\n' }, { prefix: ['create', 'cluster'], stdout: 'Creating cluster\n', set: { clusters: 'tempo-lab' }, sleepMs: 900 }, { prefix: ['load', 'docker-image'], stdout: 'loaded\n', sleepMs: 200 }],
      helm: [...good.rules.helm!, { prefix: ['repo'], stdout: 'ok\n' }, { prefix: ['--kube-context', 'kind-tempo-lab', 'upgrade', '--install'], stdout: 'STATUS: deployed\n', sleepMs: 700 }],
      kubectl: [...labKubectl(), { prefix: ['--context', 'kind-tempo-lab', 'apply'], stdout: 'deployment.apps/xk6-tracing created\n' }],
    },
  };
}


/**
 * A lab the workbook made, as the fakes answer a challenge's commands. Shapes, from the tools' sources:
 * `helm status` prints NAME/LAST DEPLOYED/NAMESPACE/STATUS/REVISION (helm/helm@v3.12.3 cmd/helm/status.go); a
 * missing release is "Error: release: not found" (pkg/storage/driver/driver.go ErrReleaseNotFound); `kubectl get
 * -o name` prints "<resource>.<group>/<name>" (kubernetes/kubectl@v0.28.2 pkg/cmd/get, name printer); `kubectl
 * scale` prints "<resource>/<name> scaled" (pkg/cmd/scale/scale.go) and `kubectl set env` "<resource>/<name> env
 * updated" (pkg/cmd/set/env). Abbreviated: only the lines the workbook reads or shows.
 */
export function challengeLab(o: { releases?: string[] } = {}): Scenario {
  const good = goodMachine();
  const releases = o.releases ?? ['prometheus-stack', 'tempo'];
  const H = ['--kube-context', 'kind-tempo-lab'];
  return {
    rules: {
      ...good.rules,
      helm: [
        ...good.rules.helm!,
        ...['prometheus-stack', 'tempo'].map((r) => {
          const ns = r === 'tempo' ? 'tracing' : 'prometheus';
          return releases.includes(r)
            ? { argv: [...H, 'status', r, '--namespace', ns], stdout: `NAME: ${r}\nLAST DEPLOYED: Wed Nov 25 10:00:00 2026\nNAMESPACE: ${ns}\nSTATUS: deployed\nREVISION: 1\n` }
            : { argv: [...H, 'status', r, '--namespace', ns], stderr: 'Error: release: not found\n', exitCode: 1 };
        }),
        { prefix: [...H, 'upgrade', '--install'], stdout: 'Release has been upgraded. Happy Helming!\nSTATUS: deployed\n' },
      ],
      kubectl: [
        ...labKubectl(),
        { argv: [...K, 'get', 'statefulset/tempo-ingester', '--namespace', 'tracing', '--output=name'], stdout: 'statefulset.apps/tempo-ingester\n' },
        { argv: [...K, 'get', 'deployment/xk6-tracing', '--namespace', 'tracing', '--output=name'], stdout: 'deployment.apps/xk6-tracing\n' },
        { prefix: [...K, 'scale', 'statefulset/tempo-ingester'], stdout: 'statefulset.apps/tempo-ingester scaled\n' },
        { prefix: [...K, 'set', 'env', 'deployment/xk6-tracing'], stdout: 'deployment.apps/xk6-tracing env updated\n' },
      ],
    },
  };
}
