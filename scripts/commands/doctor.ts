import { execute, type CommandInput } from './kit.js';

/** `workbook doctor`: chapter 0, the machine's prerequisites. */
export async function run({ lab, io, flags }: CommandInput): Promise<number> {
  const { CATALOG } = await import('../core/catalog.js');
  return execute([CATALOG[0]!], 'verify', lab, io, flags);
}
