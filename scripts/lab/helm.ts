import { UsageError } from '../core/errors.js';
import type { Lab, Step } from '../core/model.js';
import type { Text } from '../core/text.js';
import { helm } from './tools.js';

/** helm repo add, helm repo update, helm upgrade --install: the three steps every chart of the lab takes. */
export function chartSteps(o: { chart: string; release: string; namespace: (lab: Lab) => string; values: string; install: { title: Text; why: Text }; versionWhy: Text; /** the install's typical duration */ typicalMs?: number }): Step[] {
  const pin = (lab: Lab) => {
    const c = lab.profile.charts[o.chart];
    if (!c) throw new UsageError(`profile "${lab.profile.name}" pins no chart ${o.chart} (manifests/versions.yaml)`);
    return c;
  };
  return [
    {
      id: 'repo-add',
      title: { en: 'Add the chart repository', 'zh-TW': '加入 chart 倉庫' },
      why: { en: `helm finds ${o.chart} in this repository; --force-update makes re-running harmless.`, 'zh-TW': `helm 從這個倉庫取得 ${o.chart}；--force-update 讓重複執行不會出錯。` },
      fast: 'prepare',
      command: (lab) => ({ argv: ['helm', 'repo', 'add', pin(lab).repoName, pin(lab).repoUrl, '--force-update'], timeoutMs: 120_000 }),
    },
    {
      id: 'repo-update',
      title: { en: 'Refresh the repository index', 'zh-TW': '更新倉庫索引' },
      why: o.versionWhy,
      fast: 'prepare',
      command: (lab) => ({ argv: ['helm', 'repo', 'update', pin(lab).repoName], timeoutMs: 120_000 }),
    },
    {
      id: 'install',
      title: o.install.title,
      why: o.install.why,
      manifestsFor: (lab) => [o.values, ...(lab.profile.overlays?.[o.chart] ?? [])],
      needsCluster: true,
      progressNamespace: o.namespace,
      fast: 'images',
      typicalMs: o.typicalMs ?? 2.5 * 60_000,
      command: (lab) => ({
        argv: helm(lab, 'upgrade', '--install', o.release, `${pin(lab).repoName}/${o.chart}`, '--version', pin(lab).version, '--namespace', o.namespace(lab), '--create-namespace', ...[o.values, ...(lab.profile.overlays?.[o.chart] ?? [])].flatMap((f) => ['--values', f]), '--wait', '--timeout', '10m'),
        timeoutMs: 11 * 60_000,
      }),
    },
  ];
}
