import { execute, type CommandInput } from './kit.js';

/** `workbook down`: the teardown chapter (deletes only the cluster the workbook created, after a yes). */
export async function run({ lab, io, flags }: CommandInput): Promise<number> {
  const { teardownChapter } = await import('../core/catalog.js');
  return execute([teardownChapter()], 'run', lab, io, flags);
}
