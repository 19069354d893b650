import { say, withLab, write, type CommandInput, type MainIo } from './kit.js';
import type { Lab } from '../core/model.js';
import { COMMON, type CommandSpec } from '../cli/options.js';

/** Its usage, summary and flags: read by the parser and by `--help`. */
export const spec: CommandSpec = {
  name: 'prefetch',
  usage: 'prefetch',
  positional: 'none',
  flags: [...COMMON],
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

export const run = ({ lab, io }: CommandInput) => prefetchCommand(lab, io);
