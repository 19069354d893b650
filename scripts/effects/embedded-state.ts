// The embedded lab's state file, read by every command (scripts/cli/settings.ts) to find a lab that is up: kept
// apart from the code that starts and stops the processes, so a command's start loads none of it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readBoundedSync } from '../core/read.js';
import type { Layout } from '../lab/embedded-config.js';
import { alive } from './process.js';

export interface LabProcess {
  name: string;
  pid: number;
  /** the program, as /proc/<pid>/cmdline starts */
  bin: string;
  args: string[];
  /** its HTTP port, if it has one */
  port?: number;
  /** where a healthy one answers 200 */
  ready?: string;
  log: string;
  /** where it was started */
  cwd?: string;
}

export interface LabState {
  version: 1;
  layout: Layout;
  startedAt: string;
  dir: string;
  processes: LabProcess[];
  urls: { tempo: string; distributor: string; prometheus: string; otlp: string; /** OTLP over gRPC */ otlpGrpc?: string };
  /** every port, so one component can be started again on its own (a challenge's fault, its reset) */
  ports?: { prometheus: number; tempo: Record<string, { http: number; grpc: number; memberlist: number }>; otlp: { grpc: number; http: number } };
  /** what is laid over the article's values now, per component (a challenge's fault); none: the article's lab */
  overlays?: { tempo?: string[]; prometheus?: string[] };
  /** where the traffic sends, when not the lab's own OTLP endpoint (a challenge's fault) */
  trafficUrl?: string;
}

export const labDir = (stateDir: string) => join(stateDir, 'lab');
export const stateFile = (stateDir: string) => join(labDir(stateDir), 'lab.json');

/** Is this PID still the process we started? (its command line starts with our binary) */
export function ours(p: LabProcess): boolean {
  if (!alive(p.pid)) return false;
  try {
    const cmd = readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').split('\0');
    return cmd[0] === p.bin || cmd.includes(p.bin);
  } catch {
    // no /proc (macOS): the PID alone
    return true;
  }
}

/** The recorded lab, or undefined; never throws (a broken file is no lab). */
export function readLabState(stateDir: string): LabState | undefined {
  const f = stateFile(stateDir);
  if (!existsSync(f)) return undefined;
  try {
    const s = JSON.parse(readBoundedSync(f)) as LabState;
    return s && s.version === 1 && Array.isArray(s.processes) ? s : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The embedded lab the commands use: recorded, and at least one of its processes still ours. A lab with a process
 * down (a killed ingester: a fault to see) is still the lab; one with none left is no lab.
 */
export function runningLab(stateDir: string): LabState | undefined {
  const s = readLabState(stateDir);
  return s && s.processes.some(ours) ? s : undefined;
}

