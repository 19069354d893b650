import type { LabContext, Lab } from '../core/model.js';
import type { ShellResult } from '../core/effects.js';
import { fill, type Text } from '../core/text.js';
import { lastLines } from '../core/format.js';

/** Every kubectl call names the lab's context: the learner's "current" context is never touched by accident. */
export function kubectl(lab: Lab, ...args: string[]): string[] {
  return ['kubectl', '--context', lab.context, ...args];
}

export function helm(lab: Lab, ...args: string[]): string[] {
  return ['helm', '--kube-context', lab.context, ...args];
}

/** Run a read-only tool command and parse its JSON output. */
export async function runJson<T>(ctx: LabContext, argv: string[]): Promise<{ res: ShellResult; json?: T }> {
  const res = await ctx.shell.run({ argv, timeoutMs: 30_000 });
  if (res.exitCode !== 0) return { res };
  try {
    return { res, json: JSON.parse(res.stdout) as T };
  } catch {
    return { res };
  }
}

/** Names of the kind clusters on this machine; undefined when kind itself fails (not installed, no Docker). */
export async function kindClusters(ctx: LabContext): Promise<string[] | undefined> {
  const res = await ctx.shell.run({ argv: ['kind', 'get', 'clusters'], timeoutMs: 30_000 });
  // kind prints "No kind clusters found." when there are none (kind@v0.20.0 pkg/cmd/kind/get/clusters)
  return res.exitCode === 0 ? res.stdout.split('\n').map((s) => s.trim()).filter((s) => s && s !== 'No kind clusters found.') : undefined;
}

/** Where to get each tool (the doctor's hints, also used when a step or check finds a tool missing). */
export const INSTALL: Record<string, Text> = {
  docker: { en: 'Install Docker (Docker Desktop, or Docker Engine on Linux): https://docs.docker.com/get-docker/', 'zh-TW': '請安裝 Docker（Docker Desktop，或 Linux 上的 Docker Engine）：https://docs.docker.com/get-docker/' },
  kind: { en: 'Install kind {min} or newer: https://kind.sigs.k8s.io/docs/user/quick-start/#installation', 'zh-TW': '請安裝 kind {min} 以上版本：https://kind.sigs.k8s.io/docs/user/quick-start/#installation' },
  kubectl: { en: 'Install kubectl {min} or newer: https://kubernetes.io/docs/tasks/tools/', 'zh-TW': '請安裝 kubectl {min} 以上版本：https://kubernetes.io/docs/tasks/tools/' },
  helm: { en: 'Install helm {min} or newer: https://helm.sh/docs/intro/install/', 'zh-TW': '請安裝 helm {min} 以上版本：https://helm.sh/docs/intro/install/' },
};

/** The profile's minimum version of a tool, for its install hint. */
export function installHint(lab: Lab, tool: string): Text {
  const min = tool === 'kind' ? lab.profile.kind.minVersion : (lab.profile.tools as Record<string, string>)[tool] ?? '';
  return INSTALL[tool] ? fill(INSTALL[tool]!, { min }) : { en: `Install ${tool}.`, 'zh-TW': `請安裝 ${tool}。` };
}

/** A tool that could not be started at all: exit 127 from the shell, or a spawn error. */
import { toolMissing } from '../core/engine.js';
export { toolMissing };

export const KUBECONFIG_HINT: Text = {
  en: 'kubectl cannot read its configuration: check KUBECONFIG (or ~/.kube/config) points at a readable, valid file. `kubectl config view` shows what it reads.',
  'zh-TW': 'kubectl 無法讀取它的設定：請確認 KUBECONFIG（或 ~/.kube/config）指向一個可讀且有效的檔案。`kubectl config view` 會顯示它讀到的內容。',
};

export const API_DOWN_HINT: Text = {
  en: 'The context exists but the cluster\'s API server does not answer: is its node container running? `docker ps -a --filter name={cluster}-control-plane`; after a reboot, `docker start {cluster}-control-plane`.',
  'zh-TW': 'context 存在，但叢集的 API server 沒有回應：它的節點容器還在執行嗎？`docker ps -a --filter name={cluster}-control-plane`；重新開機後請執行 `docker start {cluster}-control-plane`。',
};

/**
 * Why a kubectl call failed, when waiting cannot fix it: the tool is missing, the context does not exist, the
 * kubeconfig is unreadable, or the API server refuses connections. Undefined for anything that may pass later.
 */
export function kubectlCause(lab: Lab, res: ShellResult): { why: string; hint: Text } | undefined {
  const err = lastLines(res.stderr || res.stdout) || `exit ${res.exitCode}`;
  if (toolMissing(res)) return { why: 'kubectl is not installed (not on PATH)', hint: installHint(lab, 'kubectl') };
  if (/context "[^"]*" does not exist/.test(err)) return { why: err, hint: CONTEXT_HINT };
  if (/error loading config file|couldn't get current server API group list.*config|invalid configuration|unable to read client-cert|permission denied/i.test(err)) return { why: err, hint: KUBECONFIG_HINT };
  // kubectl: "The connection to the server <host:port> was refused - did you specify the right host or port?"
  if (/connection refused|was refused|Unable to connect to the server|no such host|i\/o timeout/i.test(err)) return { why: err, hint: fill(API_DOWN_HINT, { cluster: lab.clusterName }) };
  return undefined;
}

export const CONTEXT_HINT: Text = {
  en: 'Create the lab cluster first (`workbook run cluster`), or name the context you mean with --context.',
  'zh-TW': '請先建立實驗叢集（`workbook run cluster`），或以 --context 指定你要使用的 context。',
};

/** The Docker daemon cannot be reached: the doctor's hint, and prefetch's one cause. */
export const DAEMON_DOWN: Text = {
  en: 'The Docker daemon is not running or not reachable: start Docker Desktop, or `sudo systemctl start docker` on Linux (and make sure your user may use it: `docker info` must work without sudo).',
  'zh-TW': 'Docker daemon 未啟動或無法連線：請啟動 Docker Desktop，或在 Linux 上執行 `sudo systemctl start docker`（並確認不加 sudo 也能執行 `docker info`）。',
};
