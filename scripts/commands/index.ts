import type { CommandSpec } from '../cli/options.js';
import type { CommandInput } from './kit.js';
import * as run from './run.js';
import * as verify from './verify.js';
import * as plan from './plan.js';
import * as lesson from './lesson.js';
import * as open from './open.js';
import * as prefetch from './prefetch.js';
import * as traffic from './traffic.js';
import * as doctor from './doctor.js';
import * as status from './status.js';
import * as down from './down.js';
import * as reset from './reset.js';
import * as challenge from './challenge.js';
import * as watch from './watch.js';
import * as labCmd from './lab.js';
import * as exercise from './exercise.js';
import * as bundle from './bundle.js';
import * as workshop from './workshop.js';
import * as join from './join.js';

/** A command: one file under scripts/commands/ with its spec (usage, summary, flags) and its run. */
export interface CommandModule {
  spec: CommandSpec;
  run(input: CommandInput): Promise<number>;
}

/**
 * Every command, in the order `--help` lists them. A command's file is light (its spec and a run that imports
 * what it needs when it runs), so `workbook --help` reads every spec and loads no chapter, chart or UI library.
 */
export const COMMANDS: readonly CommandModule[] = [run, verify, plan, lesson, open, prefetch, bundle, traffic, doctor, status, down, reset, challenge, exercise, watch, labCmd, workshop, join];

export const SPECS: readonly CommandSpec[] = COMMANDS.map((c) => c.spec);

/** No command, in a terminal: the menu. */
export const menu = () => import('./menu.js');
