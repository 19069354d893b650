// The pinned stack's images: pulled on this machine, loaded into the lab cluster (`workbook prefetch`, `run all --fast`).
import { Listr, ListrLogger, ProcessOutput } from 'listr2';
import { formatCommand, lastLines } from '../core/format.js';
import type { LabContext, Command, Lab } from '../core/model.js';
import { kindClusters } from '../lab/tools.js';

/** The kind node image is pulled (kind create uses it) but never loaded into the cluster. */
export const NODE_IMAGE_KEY = 'kind-node';

export function prefetchImages(lab: Lab): { key: string; ref: string }[] {
  return Object.entries(lab.profile.images).map(([key, ref]) => ({ key, ref }));
}

export const inspectCommand = (ref: string): Command => ({ argv: ['docker', 'image', 'inspect', '--format', '{{.Id}}', ref], timeoutMs: 30_000 });
export const pullCommand = (ref: string): Command => ({ argv: ['docker', 'pull', ref], timeoutMs: 30 * 60_000 });
/** kind load skips images the nodes already hold ("found to be already present on all nodes"). */
export const loadCommand = (lab: Lab, refs: string[]): Command => ({ argv: ['kind', 'load', 'docker-image', '--name', lab.clusterName, ...refs], timeoutMs: 30 * 60_000 });

export interface PrefetchResult {
  pulled: string[];
  present: string[];
  failed: { ref: string; error: string }[];
  loaded: string[];
  clusterMissing: boolean;
  /** docker info failed: nothing can be pulled, and that is the one cause to tell */
  daemonDown?: string;
}

/** Pull what is missing, several at a time, then load everything into the lab cluster if it exists. */
export async function prefetch(ctx: LabContext, o: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream; interactive: boolean; concurrency?: number }): Promise<PrefetchResult> {
  const images = prefetchImages(ctx.lab);
  const result: PrefetchResult = { pulled: [], present: [], failed: [], loaded: [], clusterMissing: false };
  // one question first: with no daemon every pull would fail, each with the same message
  const info = await ctx.shell.run({ argv: ['docker', 'info', '--format', '{{json .}}'], timeoutMs: 30_000 });
  if (info.exitCode !== 0) {
    result.daemonDown = lastLines(info.stderr || info.stdout) || `docker info: exit ${info.exitCode}`;
    return result;
  }
  const logger = new ListrLogger({ processOutput: new ProcessOutput(o.stdout, o.stderr) });
  const pulls = new Listr(
    images.map(({ ref }) => ({
      title: ref,
      task: async (_c: unknown, t: { title: string; output: string; skip: (m: string) => void }) => {
        const have = await ctx.shell.run(inspectCommand(ref));
        if (have.exitCode === 0) {
          result.present.push(ref);
          return t.skip(`${ref} — already present`);
        }
        const res = await ctx.shell.run(pullCommand(ref), { onLine: (l) => (t.output = l) });
        if (res.exitCode !== 0) {
          const error = lastLines(res.stderr || res.stdout) || `exit ${res.exitCode}`;
          result.failed.push({ ref, error });
          throw new Error(`$ ${formatCommand(pullCommand(ref).argv)}: ${error}`);
        }
        result.pulled.push(ref);
        t.title = `${ref} — pulled`;
      },
    })),
    { concurrent: o.concurrency ?? 3, exitOnError: false, registerSignalListeners: false, renderer: o.interactive ? 'default' : 'simple', fallbackRenderer: 'simple', rendererOptions: { logger } as never },
  );
  await pulls.run().catch(() => {});

  if (!(await kindClusters(ctx))?.includes(ctx.lab.clusterName)) {
    result.clusterMissing = true;
    return result;
  }
  const refs = images.filter((i) => i.key !== NODE_IMAGE_KEY && !result.failed.some((f) => f.ref === i.ref)).map((i) => i.ref);
  if (refs.length) {
    const load = await ctx.shell.run(loadCommand(ctx.lab, refs), { onLine: (l) => o.stdout.write(`  ${l}\n`) });
    if (load.exitCode !== 0) result.failed.push({ ref: 'kind load', error: lastLines(load.stderr || load.stdout) || `exit ${load.exitCode}` });
    else result.loaded.push(...refs);
  }
  return result;
}

/**
 * Which k6 script the lab's xk6 pod runs, read from manifests/xk6-client-tracing.yaml: the workbook's own from the
 * ConfigMap (no internet needed), or the image's /example-script.js, which imports k6-utils from the web at start
 * (grafana/xk6-client-tracing@v0.0.2 examples/template/template.js:3).
 */
export async function xk6Script(): Promise<{ offline: boolean; en: string; 'zh-TW': string }> {
  const { readFile } = await import('node:fs/promises');
  const { parseAllDocuments } = await import('yaml');
  const { MANIFESTS } = await import('../core/paths.js');
  const docs = parseAllDocuments(await readFile(`${MANIFESTS}/xk6-client-tracing.yaml`, 'utf8')).map((d) => d.toJSON() as { kind?: string; metadata?: { name?: string }; spec?: { template?: { spec?: { containers?: { args?: string[] }[] } } } });
  const args = docs.find((d) => d?.kind === 'Deployment')?.spec?.template?.spec?.containers?.[0]?.args ?? [];
  const cm = docs.find((d) => d?.kind === 'ConfigMap')?.metadata?.name;
  if (cm && args[0] === 'run' && args[1]?.startsWith('/scripts/')) {
    return { offline: true, en: `xk6 runs the workbook's script from ConfigMap ${cm} (${args[1]}): no internet needed once the image is loaded`, 'zh-TW': `xk6 執行 ConfigMap ${cm} 中的工作手冊腳本（${args[1]}）：映像檔載入後不需要網路` };
  }
  return { offline: false, en: 'xk6 runs the image\'s own /example-script.js, which imports k6-utils from the web when it starts: the pod needs the internet', 'zh-TW': 'xk6 執行映像檔內建的 /example-script.js，它啟動時會從網路匯入 k6-utils：pod 需要網路' };
}

