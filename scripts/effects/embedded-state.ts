// The embedded lab's state file, read by every command (scripts/cli/settings.ts) to find a lab that is up: kept
// apart from the code that starts and stops the processes, so a command's start loads none of it. Parsed by one
// schema: a file of another shape is no lab, and `lab down` says what it could not read.
//
// A process is ours when its PID is alive and its start time (from /proc/<pid>/stat) is the one recorded: a reused
// PID is not ours, and a wrapper script that `exec`s the program (the command line changes, the PID and start time do
// not) still is. Each process leads its own process group (started detached), so stopping it stops what it forked.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readBoundedSync } from '../core/read.js';
import { alive } from './process.js';

const LabProcessSchema = z.object({
  name: z.string().min(1).max(80),
  pid: z.number().int().positive(),
  /** when the kernel started it (clock ticks since boot, /proc/<pid>/stat field 22); none where there is no /proc */
  startTime: z.number().int().nonnegative().optional(),
  /** the program, as started */
  bin: z.string(),
  args: z.array(z.string()),
  /** its HTTP port, if it has one */
  port: z.number().int().min(1).max(65535).optional(),
  /** where a healthy one answers 200 */
  ready: z.string().optional(),
  log: z.string(),
  /** where it was started */
  cwd: z.string().optional(),
});
export type LabProcess = z.infer<typeof LabProcessSchema>;

const PortsSchema = z.object({ http: z.number().int(), grpc: z.number().int(), memberlist: z.number().int() });

export const LabStateSchema = z.object({
  version: z.literal(1),
  layout: z.enum(['monolithic', 'microservices']),
  /** 'starting' while `lab up` launches (a killed one leaves it so: `lab down` still stops what it recorded) */
  phase: z.enum(['starting', 'up']).default('up'),
  /** the versions profile whose values it runs (its overlays laid over the article's) */
  profile: z.string().default('article'),
  /** where a profile that keeps blocks in an object store (article-minio) finds it: an S3-compatible server */
  s3Endpoint: z.string().optional(),
  startedAt: z.string(),
  dir: z.string(),
  processes: z.array(LabProcessSchema),
  urls: z.object({ tempo: z.string(), distributor: z.string(), prometheus: z.string(), otlp: z.string(), /** OTLP over gRPC */ otlpGrpc: z.string().optional() }),
  /** every port, so one component can be started again on its own (a challenge's fault, its reset) */
  ports: z
    .object({
      prometheus: z.number().int(),
      tempo: z.record(PortsSchema),
      otlp: z.object({ grpc: z.number().int(), http: z.number().int() }),
      /** the chart's other receivers (Jaeger, Zipkin, OpenCensus), by their path under distributor.receivers */
      receivers: z.record(z.number().int()).optional(),
      /** Tempo 3's microservices: the Kafka broker's listener and its KRaft controller's */
      kafka: z.object({ broker: z.number().int(), controller: z.number().int() }).optional(),
    })
    .optional(),
  /** the Kafka jars' folder (Tempo 3's microservices: Apache Kafka from Maven Central) */
  kafkaLib: z.string().optional(),
  /** what is laid over the article's values now, per component (a challenge's fault); none: the article's lab */
  overlays: z.object({ tempo: z.array(z.string()).optional(), prometheus: z.array(z.string()).optional() }).optional(),
  /** where the traffic sends, when not the lab's own OTLP endpoint (a challenge's fault) */
  trafficUrl: z.string().optional(),
});
export type LabState = z.infer<typeof LabStateSchema>;

export const labDir = (stateDir: string) => join(stateDir, 'lab');
export const stateFile = (stateDir: string) => join(labDir(stateDir), 'lab.json');
/** Held while the lab is started, stopped or changed (outside lab/, which `lab up` lays anew). */
export const labLock = (stateDir: string) => join(stateDir, 'lab.lock');

/** A process's start time, from /proc (undefined without /proc, or once it is gone). */
export function startTimeOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) is in parentheses and may hold spaces: count fields after its closing one
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const t = Number(fields[19]);
    return Number.isFinite(t) ? t : undefined;
  } catch {
    return undefined;
  }
}

/** Is this PID still the process we started? (alive, and started when we recorded) */
export function ours(p: LabProcess): boolean {
  if (!alive(p.pid)) return false;
  if (p.startTime === undefined || !existsSync('/proc/self/stat')) return true;
  return startTimeOf(p.pid) === p.startTime;
}

/** The recorded lab, or why it cannot be read (never throws). */
export function readLabStateOrProblem(stateDir: string): { state?: LabState; problem?: string } {
  const f = stateFile(stateDir);
  if (!existsSync(f)) return {};
  let value: unknown;
  try {
    value = JSON.parse(readBoundedSync(f));
  } catch (err) {
    return { problem: `${f} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'not JSON'})` };
  }
  const r = LabStateSchema.safeParse(value);
  if (!r.success) return { problem: `${f}: ${r.error.issues[0]!.path.join('.') || 'the file'}: ${r.error.issues[0]!.message}` };
  return { state: r.data };
}

/** The recorded lab, or undefined; never throws (a broken file is no lab). */
export function readLabState(stateDir: string): LabState | undefined {
  return readLabStateOrProblem(stateDir).state;
}

/**
 * The embedded lab the commands use: up (not still starting), and at least one of its processes still ours. A lab
 * with a process down (a killed ingester: a fault to see) is still the lab; one with none left is no lab.
 */
export function runningLab(stateDir: string): LabState | undefined {
  const s = readLabState(stateDir);
  return s && s.phase === 'up' && s.processes.some(ours) ? s : undefined;
}
