import type { ChapterSpec, Check, Step } from '../../scripts/core/model.js';
import { NEEDS_CLUSTER } from '../../scripts/core/model.js';
import { CONTEXT_HINT, contextRefusal, contextState, getJson } from '../../scripts/lab/kube.js';
import { kindClusters } from '../../scripts/lab/tools.js';

export const KIND_CONFIG = 'manifests/kind-cluster.yaml';

export const createCluster: Step = {
  typicalMs: 90_000,
  id: 'create-cluster',
  title: { en: 'Create the kind cluster', 'zh-TW': '建立 kind 叢集' },
  why: {
    en: 'One Docker container becomes a Kubernetes node; --image pins the node image by tag and digest so everyone gets the same Kubernetes.',
    'zh-TW': '一個 Docker 容器就是一個 Kubernetes 節點；--image 以 tag 與 digest 鎖定節點映像檔，讓每個人拿到相同的 Kubernetes。',
  },
  manifests: [KIND_CONFIG],
  command: (lab) => ({
    argv: ['kind', 'create', 'cluster', '--name', lab.clusterName, '--image', lab.profile.kind.nodeImage, '--config', KIND_CONFIG, '--wait', '120s'],
    timeoutMs: 10 * 60_000,
  }),
  async skipIf(ctx) {
    return (await kindClusters(ctx))?.includes(ctx.lab.clusterName) ? `cluster ${ctx.lab.clusterName} exists; left as it is` : undefined;
  },
  async after(ctx) {
    // teardown deletes only clusters the workbook made
    await ctx.setFact('createdCluster', ctx.lab.clusterName);
  },
};

interface Node {
  metadata: { name: string };
  status?: { conditions?: { type: string; status: string }[]; nodeInfo?: { kubeletVersion?: string } };
}

export const checks: Check[] = [
  {
    id: 'context',
    title: { en: 'kube context of the lab exists', 'zh-TW': '實驗叢集的 kube context 存在' },
    // only a cluster can answer it (no URL stands in for it; the embedded lab has none)
    clusterOnly: [],
    async probe(ctx) {
      const state = await contextState(ctx);
      if (state.exists) return { ok: true, evidence: `context ${ctx.lab.context} exists` };
      // a context does not appear by waiting: end the check at once
      return { ok: false, final: true, evidence: contextRefusal(ctx, state), hint: CONTEXT_HINT };
    },
  },
  {
    id: 'nodes-ready',
    needs: [NEEDS_CLUSTER()],
    title: { en: 'every node is Ready', 'zh-TW': '所有節點都是 Ready' },
    async probe(ctx) {
      const { json, fail } = await getJson<{ items: Node[] }>(ctx, ['get', 'nodes']);
      if (fail) return fail;
      const nodes = json!.items;
      const ready = nodes.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      const version = nodes[0]?.status?.nodeInfo?.kubeletVersion ?? '?';
      const evidence = `${ready.length}/${nodes.length} nodes Ready (kubelet ${version})`;
      if (nodes.length && ready.length === nodes.length) return { ok: true, evidence };
      return {
        ok: false,
        evidence,
        hint: {
          en: 'Nodes take a minute to become Ready. If they stay NotReady, `kubectl describe node` names the reason; low memory or inotify limits (chapter 0) are the usual ones.',
          'zh-TW': '節點需要一點時間才會 Ready。若一直是 NotReady，`kubectl describe node` 會說明原因；最常見的是記憶體不足或 inotify 上限太低（第 0 章）。',
        },
      };
    },
  },
  {
    id: 'coredns',
    needs: [NEEDS_CLUSTER()],
    title: { en: 'CoreDNS is ready', 'zh-TW': 'CoreDNS 已就緒' },
    async probe(ctx) {
      const { json, fail } = await getJson<{ spec?: { replicas?: number }; status?: { readyReplicas?: number } }>(ctx, ['get', 'deployment', 'coredns', '--namespace', 'kube-system']);
      if (fail) return fail;
      const want = json!.spec?.replicas ?? 0;
      const ready = json!.status?.readyReplicas ?? 0;
      const evidence = `coredns ${ready}/${want} replicas ready`;
      if (want > 0 && ready >= want) return { ok: true, evidence };
      return {
        ok: false,
        evidence,
        hint: {
          en: 'Service names (like prometheus-stack-prometheus.prometheus) resolve through CoreDNS. Check `kubectl -n kube-system get pods -l k8s-app=kube-dns`.',
          'zh-TW': '服務名稱（例如 prometheus-stack-prometheus.prometheus）靠 CoreDNS 解析。請查看 `kubectl -n kube-system get pods -l k8s-app=kube-dns`。',
        },
      };
    },
  },
];

export const chapter: ChapterSpec = {
  role: 'cluster',
  checksTypicalMs: 20_000,
  title: { en: 'A kind cluster', 'zh-TW': '建立 kind 叢集' },
  steps: [createCluster],
  checks,
};

