// The effects the core may have, as interfaces (the architecture's ports; not TCP ports): how chapters and the
// engine reach the world (tools, HTTP, time, files, TCP). The real ones live in scripts/effects/real.ts; tests pass their own.
import type { Command } from './model.js';

export interface ShellResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Each line of output as it comes (for streaming helm/kubectl into the task log). */
  onLine?: (line: string) => void;
  signal?: AbortSignal;
}

/** The process boundary for tools (kind, helm, kubectl, docker). */
export interface Shell {
  run(cmd: Command, options?: RunOptions): Promise<ShellResult>;
  /** Absolute path of a tool on PATH, or undefined. */
  which(tool: string): Promise<string | undefined>;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface HttpRequest {
  method?: 'GET' | 'POST' | 'PUT';
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
}

export interface Http {
  request(url: string, init?: HttpRequest): Promise<HttpResponse>;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface Fs {
  readText(path: string): Promise<string | undefined>;
}

export interface Net {
  /** True when nothing listens on 127.0.0.1:port. */
  isPortFree(port: number): Promise<boolean>;
}
