import { UsageError, say, withLab, write, type CommandInput } from './kit.js';
import { COMMON, type CommandSpec } from '../cli/options.js';

/** Its usage, summary and flags: read by the parser and by `--help`. */
export const spec: CommandSpec = {
  name: 'bundle',
  usage: 'bundle <dir>',
  positional: 'path',
  flags: [...COMMON],
  summary: {
    en: 'a classroom without internet: save every image (docker save) and both charts (helm pull) into <dir>, with checksums; `prefetch --from <dir>` loads them',
    'zh-TW': '沒有網路的教室：把所有映像檔（docker save）與兩個 chart（helm pull）連同檢查碼存到 <dir>；`prefetch --from <dir>` 會載入它們',
  },
};

/** `workbook bundle <dir>`: exit 0 when everything was saved and the index written. */
export async function run({ lab, io, positional }: CommandInput): Promise<number> {
  if (!positional) throw new UsageError('where to? (usage: workbook bundle <dir>)');
  const { resolve, join } = await import('node:path');
  const dir = resolve(io.cwd, positional);
  // a folder this user can write, or one line (a file in the way, a read-only folder)
  const { mkdirp } = await import('../effects/files.js');
  const { access } = await import('node:fs/promises');
  const { constants } = await import('node:fs');
  try {
    await mkdirp(dir);
    await access(dir, constants.W_OK);
  } catch (err) {
    throw new UsageError(`${positional}: cannot bundle there (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): give a folder you can write`);
  }
  const { ProgressStore } = await import('../effects/progress.js');
  const { makeBundle, INDEX } = await import('../lab/bundle.js');
  const r = await withLab(lab, io, await ProgressStore.open(lab.stateDir), (ctx) => makeBundle(ctx, dir, (l) => write(io.stdout, l)));
  for (const f of r.failed) write(io.stdout, `✖ ${f.what}: ${f.error}`);
  if (!r.index || r.failed.length) {
    write(io.stdout, say({ en: `The bundle is not complete (${r.failed.length} failed): no index was written, so no classroom can use it half-made.`, 'zh-TW': `套件不完整（${r.failed.length} 項失敗）：沒有寫入索引，教室不會用到做了一半的套件。` }, lab.lang));
    return 1;
  }
  const { writeAtomic } = await import('../effects/files.js');
  await writeAtomic(join(dir, INDEX), JSON.stringify(r.index, null, 2) + '\n');
  const { formatCommand } = await import('../core/format.js');
  const next = formatCommand(['workbook', 'prefetch', '--from', dir]);
  write(io.stdout, say({ en: `Bundled ${r.index.images.length} images and ${r.index.charts.length} charts for profile ${lab.profile.name} in ${dir}. On each laptop: ${next}`, 'zh-TW': `已為版本組合 ${lab.profile.name} 打包 ${r.index.images.length} 個映像檔與 ${r.index.charts.length} 個 chart 到 ${dir}。在每台筆電上執行：${next}` }, lab.lang));
  return 0;
}
