import type { CommandInput } from './kit.js';

/**
 * Every command, one file each (its run; its flags and help live in scripts/cli/options.ts's table, read by the
 * parser and the help). Loaded lazily: `workbook --help` loads none of them.
 */
export const COMMAND_MODULES: Record<string, () => Promise<{ run(input: CommandInput): Promise<number> }>> = {
  run: () => import('./run.js'),
  verify: () => import('./verify.js'),
  plan: () => import('./plan.js'),
  lesson: () => import('./lesson.js'),
  open: () => import('./open.js'),
  prefetch: () => import('./prefetch.js'),
  traffic: () => import('./traffic.js'),
  doctor: () => import('./doctor.js'),
  status: () => import('./status.js'),
  down: () => import('./down.js'),
  reset: () => import('./reset.js'),
  /** no command, in a terminal */
  menu: () => import('./menu.js'),
};
