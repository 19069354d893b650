import type { ChapterSpec, Check, Step } from '../../scripts/core/model.js';
import { installHint, kindClusters, toolMissing } from '../../scripts/lab/tools.js';

export const deleteCluster: Step = {
  id: 'delete-cluster',
  title: { en: 'Delete the kind cluster', 'zh-TW': '刪除 kind 叢集' },
  why: {
    en: 'Everything of the lab lives in the cluster\'s containers; deleting it frees the memory and disk. Only a cluster the workbook created is deleted, and only after you agree.',
    'zh-TW': '實驗環境的一切都在叢集的容器裡；刪除它就能釋放記憶體與磁碟。只會刪除工作手冊建立的叢集，而且要先經過你同意。',
  },
  destructive: true,
  command: (lab) => ({ argv: ['kind', 'delete', 'cluster', '--name', lab.clusterName], timeoutMs: 5 * 60_000 }),
  async refuse(ctx) {
    if (ctx.facts.createdCluster === ctx.lab.clusterName) return undefined;
    return `refusing to delete cluster ${ctx.lab.clusterName}: the workbook did not create it (it existed before, or was made by hand). Delete it yourself with \`kind delete cluster --name ${ctx.lab.clusterName}\` if you mean to.`;
  },
  async skipIf(ctx) {
    // when kind itself fails, nothing is known: run the step, whose failure names the cause (e.g. kind missing)
    const clusters = await kindClusters(ctx);
    return !clusters || clusters.includes(ctx.lab.clusterName) ? undefined : `cluster ${ctx.lab.clusterName} is already gone`;
  },
  async after(ctx) {
    await ctx.resetProgress(['createdCluster']);
  },
};

export const checks: Check[] = [
  {
    id: 'cluster-gone',
    title: { en: 'the lab cluster is gone', 'zh-TW': '實驗叢集已移除' },
    async probe(ctx) {
      const res = await ctx.shell.run({ argv: ['kind', 'get', 'clusters'], timeoutMs: 30_000 });
      if (res.exitCode !== 0 && toolMissing(res)) return { ok: false, final: true, evidence: 'kind is not installed (not on PATH)', hint: installHint(ctx.lab, 'kind') };
      if (res.exitCode !== 0) return { ok: false, evidence: `kind get clusters: exit ${res.exitCode} ${res.stderr.trim()}`, hint: { en: 'kind could not list its clusters: is Docker running (`workbook doctor`)?', 'zh-TW': 'kind 無法列出叢集：Docker 是否正在執行（`workbook doctor`）？' } };
      const clusters = res.stdout.split('\n').map((s) => s.trim()).filter(Boolean);
      if (!clusters.includes(ctx.lab.clusterName)) return { ok: true, evidence: `kind clusters now: ${clusters.join(', ') || '(none)'}` };
      return { ok: false, evidence: `cluster ${ctx.lab.clusterName} still exists`, hint: { en: 'It may still be shutting down; `docker ps` shows its node containers.', 'zh-TW': '可能仍在關閉中；`docker ps` 可看到它的節點容器。' } };
    },
  },
];

export const chapter: ChapterSpec = {
  role: 'teardown',
  title: { en: 'Teardown', 'zh-TW': '清除環境' },
  steps: [deleteCluster],
  checks,
};
