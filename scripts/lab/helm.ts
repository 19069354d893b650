import { UsageError } from '../core/errors.js';
import type { Lab, Step } from '../core/model.js';
import type { Text } from '../core/text.js';
import { helm, kubectl } from './tools.js';

/** helm repo add, helm repo update, helm upgrade --install: the three steps every chart of the lab takes. */
export function chartSteps(o: { chart: string; release: string; namespace: (lab: Lab) => string; values: string; install: { title: Text; why: Text }; versionWhy: Text; /** the install's typical duration */ typicalMs?: number }): Step[] {
  const pin = (lab: Lab) => {
    const c = lab.profile.charts[o.chart];
    if (!c) throw new UsageError(`profile "${lab.profile.name}" pins no chart ${o.chart} (manifests/versions.yaml)`);
    return c;
  };
  // the profile's own values for this chart (another chart layout), else the article's
  const valuesOf = (lab: Lab) => lab.profile.values?.[o.chart] ?? o.values;
  const thenWait = (lab: Lab) => (lab.profile.installThenWait ?? []).includes(o.chart);
  // a bundle loaded with `prefetch --from`: the chart's .tgz from it, no repository asked
  const bundled = (lab: Lab) => lab.bundle?.charts[o.chart];
  const notBundled = { when: (lab: Lab) => !bundled(lab), otherwise: 'the chart comes from the bundle (workbook prefetch --from)' };
  return [
    {
      id: 'repo-add',
      title: { en: 'Add the chart repository', 'zh-TW': '加入 chart 倉庫' },
      why: { en: `helm finds ${o.chart} in this repository; --force-update makes re-running harmless.`, 'zh-TW': `helm 從這個倉庫取得 ${o.chart}；--force-update 讓重複執行不會出錯。` },
      fast: 'prepare',
      onlyIf: notBundled,
      command: (lab) => ({ argv: ['helm', 'repo', 'add', pin(lab).repoName, pin(lab).repoUrl, '--force-update'], timeoutMs: 120_000 }),
    },
    {
      id: 'repo-update',
      title: { en: 'Refresh the repository index', 'zh-TW': '更新倉庫索引' },
      why: o.versionWhy,
      fast: 'prepare',
      onlyIf: notBundled,
      command: (lab) => ({ argv: ['helm', 'repo', 'update', pin(lab).repoName], timeoutMs: 120_000 }),
    },
    {
      id: 'install',
      title: o.install.title,
      why: o.install.why,
      manifestsFor: (lab) => [valuesOf(lab), ...(lab.profile.overlays?.[o.chart] ?? [])],
      needsCluster: true,
      progressNamespace: o.namespace,
      fast: 'images',
      typicalMs: o.typicalMs ?? 2.5 * 60_000,
      command: (lab) => ({
        // --timeout bounds the hooks too; without --wait (installThenWait) they run as soon as the objects exist
        argv: helm(lab, 'upgrade', '--install', o.release, ...(bundled(lab) ? [bundled(lab)!] : [`${pin(lab).repoName}/${o.chart}`, '--version', pin(lab).version]), '--namespace', o.namespace(lab), '--create-namespace', ...[valuesOf(lab), ...(lab.profile.overlays?.[o.chart] ?? [])].flatMap((f) => ['--values', f]), ...(thenWait(lab) ? [] : ['--wait']), '--timeout', '10m'),
        timeoutMs: 11 * 60_000,
      }),
    },
    {
      id: 'await-pods',
      title: { en: `Wait for the ${o.release} pods`, 'zh-TW': `等待 ${o.release} 的 pod` },
      why: {
        en: `With this profile the install does not --wait: a post-install hook (MinIO's bucket) must run before the pods can be ready, and helm runs hooks only after --wait. This waits for the release's pods now.`,
        'zh-TW': `這個版本組合的安裝不使用 --wait：post-install hook（MinIO 的 bucket）必須先執行，pod 才能就緒，而 helm 只在 --wait 之後才執行 hook。這一步現在才等待 release 的 pod。`,
      },
      needsCluster: true,
      progressNamespace: o.namespace,
      fast: 'images',
      typicalMs: 60_000,
      onlyIf: { when: thenWait, otherwise: 'helm\'s --wait already waited for the pods' },
      command: (lab) => ({
        // the chart's selector labels (grafana/helm-charts@tempo-distributed-1.6.5 templates/_helpers.tpl tempo.selectorLabels)
        argv: kubectl(lab, 'wait', '--for=condition=Ready', 'pods', '--selector', `app.kubernetes.io/instance=${o.release}`, '--namespace', o.namespace(lab), '--timeout=10m'),
        timeoutMs: 11 * 60_000,
      }),
    },
  ];
}
