import { say, withLab, write, type CommandInput, type MainIo } from './kit.js';
import type { Lab } from '../core/model.js';
import { COMMON, type CommandSpec } from '../cli/options.js';

/** Its usage, summary and flags: read by the parser and by `--help`. */
export const spec: CommandSpec = {
  name: 'prefetch',
  usage: 'prefetch [--from <dir>]',
  positional: 'none',
  flags: [...COMMON],
  own: {
    from: { type: 'string', value: 'DIR', help: { en: 'load a bundle (`workbook bundle`) instead of pulling: docker load, kind load, and the install chapters take the charts from it', 'zh-TW': '載入套件（`workbook bundle`）而不是從網路拉取：docker load、kind load，安裝章節也改用其中的 chart' } },
  },
  summary: { en: 'pull every image the pinned stack uses, then load them into the lab cluster (for slow networks)', 'zh-TW': '預先拉取鎖定版本用到的所有映像檔，再載入實驗叢集（網路慢時使用）' },
};

async function prefetchCommand(lab: Lab, io: MainIo): Promise<number> {
  const { ProgressStore } = await import('../effects/progress.js');
  const images = await import('../lab/images.js');
  const r = await withLab(lab, io, await ProgressStore.open(lab.stateDir), (ctx) => images.prefetch(ctx, { stdout: io.stdout, stderr: io.stderr, interactive: lab.interactive }));
  const t = (en: string, zh: string) => say({ en, 'zh-TW': zh }, lab.lang);
  if (r.daemonDown) {
    const { DAEMON_DOWN } = await import('../lab/tools.js');
    write(io.stdout, `✖ docker info: ${r.daemonDown}`);
    write(io.stdout, `${t('hint', '提示')}: ${say(DAEMON_DOWN, lab.lang)}`);
    return 1;
  }
  write(io.stdout, '');
  write(io.stdout, t(`${r.pulled.length} pulled, ${r.present.length} already present, ${r.failed.length} failed`, `拉取 ${r.pulled.length} 個，已存在 ${r.present.length} 個，失敗 ${r.failed.length} 個`));
  if (r.loaded.length) write(io.stdout, t(`loaded ${r.loaded.length} images into cluster ${lab.clusterName}`, `已將 ${r.loaded.length} 個映像檔載入叢集 ${lab.clusterName}`));
  const script = await images.xk6Script();
  write(io.stdout, t(script.en, script['zh-TW']));
  if (r.clusterMissing) write(io.stdout, t(`cluster ${lab.clusterName} does not exist yet: run \`workbook prefetch\` again after chapter 1 to load the images into it`, `叢集 ${lab.clusterName} 尚未建立：完成第 1 章後再執行一次 \`workbook prefetch\`，即可把映像檔載入叢集`));
  for (const f of r.failed) write(io.stdout, `✖ ${f.ref}: ${f.error}`);
  return r.failed.length ? 1 : 0;
}

/** `prefetch --from <dir>`: every file checked against the index, the images loaded, the bundle recorded for the install steps. */
async function fromBundle(lab: Lab, io: MainIo, from: string): Promise<number> {
  const { resolve } = await import('node:path');
  const b = await import('../lab/bundle.js');
  const { dir, index } = await b.readBundle(resolve(io.cwd, from), lab);
  const t = (en: string, zh: string) => say({ en, 'zh-TW': zh }, lab.lang);
  write(io.stdout, t(`Bundle ${dir}: ${index.images.length} images and ${index.charts.length} charts, every checksum matches.`, `套件 ${dir}：${index.images.length} 個映像檔與 ${index.charts.length} 個 chart，檢查碼全部相符。`));
  const { ProgressStore } = await import('../effects/progress.js');
  const { loadCommand, NODE_IMAGE_KEY } = await import('../lab/images.js');
  const { kindClusters } = await import('../lab/tools.js');
  const { formatCommand, lastLines } = await import('../core/format.js');
  const { join } = await import('node:path');
  const failed: string[] = [];
  const loaded = await withLab(lab, io, await ProgressStore.open(lab.stateDir), async (ctx) => {
    for (const i of index.images) {
      const cmd = b.loadImageCommand(join(dir, i.file));
      write(io.stdout, `$ ${formatCommand(cmd.argv)}`);
      const r = await ctx.shell.run(cmd);
      if (r.exitCode !== 0) failed.push(`${i.ref}: ${lastLines(r.stderr || r.stdout) || `exit ${r.exitCode}`}`);
    }
    if (!(await kindClusters(ctx))?.includes(lab.clusterName)) return false;
    const refs = index.images.filter((i) => i.key !== NODE_IMAGE_KEY).map((i) => i.ref);
    const cmd = loadCommand(lab, refs);
    write(io.stdout, `$ ${formatCommand(cmd.argv)}`);
    const r = await ctx.shell.run(cmd, { onLine: (l) => write(io.stdout, `  ${l}`) });
    if (r.exitCode !== 0) failed.push(`kind load: ${lastLines(r.stderr || r.stdout) || `exit ${r.exitCode}`}`);
    return r.exitCode === 0;
  });
  // the install chapters read this: charts from the bundle, no helm repo add/update
  const record: import('../lab/bundle.js').BundleRecord = { dir, profile: index.profile, charts: Object.fromEntries(index.charts.map((c) => [c.chart, join(dir, c.file)])) };
  const { writeAtomic, mkdirp } = await import('../effects/files.js');
  await mkdirp(lab.stateDir);
  await writeAtomic(b.bundleRecordFile(lab.stateDir), JSON.stringify(record, null, 2) + '\n');
  for (const f of failed) write(io.stdout, `✖ ${f}`);
  write(io.stdout, loaded ? t(`Loaded ${index.images.length - 1} images into cluster ${lab.clusterName}.`, `已將 ${index.images.length - 1} 個映像檔載入叢集 ${lab.clusterName}。`) : t(`Cluster ${lab.clusterName} does not exist yet: the images are in Docker; \`workbook prefetch --from ${from}\` again after chapter 1 loads them into it.`, `叢集 ${lab.clusterName} 尚未建立：映像檔已在 Docker 中；完成第 1 章後再執行一次 \`workbook prefetch --from ${from}\` 即可載入叢集。`));
  write(io.stdout, t(`From now on the install chapters take their charts from ${dir} (\`workbook plan\` shows it).`, `之後安裝章節會從 ${dir} 取得 chart（\`workbook plan\` 會顯示）。`));
  return failed.length ? 1 : 0;
}

export const run = ({ lab, io, flags }: CommandInput) => (flags.from ? fromBundle(lab, io, flags.from as string) : prefetchCommand(lab, io));
