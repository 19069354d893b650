// Test helpers: fake tools on PATH (named fakes: they are never the real kind/helm/kubectl/docker) and a
// runner for the real, built CLI.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = join(ROOT, 'dist/scripts/cli.js');
const FAKE_TOOL = join(ROOT, 'test/fakes/fake-tool.mjs');

export interface FakeRule {
  argv?: string[];
  prefix?: string[];
  stdout?: string;
  stderr?: string;
  exitCode?: number;
  set?: Record<string, unknown>;
  when?: Record<string, unknown>;
  listen?: boolean;
  proxyTo?: string;
  dieAfterMs?: number;
  listenAfterMs?: number;
  sleepMs?: number;
  /** write a file where the real tool would (test/fakes/fake-tool.mjs) */
  writes?: { after: string; name?: string; content: string };
}

export interface Scenario {
  rules: Partial<Record<string, FakeRule[]>>;
  state?: Record<string, unknown>;
}

export interface FakeCall {
  tool: string;
  argv: string[];
  pid: number;
  /** when it started (ms) */
  t0: number;
  /** when a sleeping rule finished (on its end record) */
  t1?: number;
  end?: boolean;
}

/** System tools the CLI and the shims need; everything else (notably the real kubectl/docker) stays off PATH. */
const SYSTEM_TOOLS = ['bash', 'sh', 'env', 'cat', 'sleep', 'uname', 'ps', 'kill', 'rm', 'mkdir', 'dirname'];

export class FakeWorld {
  readonly dir = mkdtempSync(join(tmpdir(), 'wb-fakes-'));
  readonly bin = join(this.dir, 'bin');
  readonly sys = join(this.dir, 'sys');
  readonly log = join(this.dir, 'calls.jsonl');
  readonly stateFile = join(this.dir, 'state.json');
  readonly scenarioFile = join(this.dir, 'scenario.json');
  readonly stateDir = join(this.dir, 'state');
  readonly home = join(this.dir, 'home');

  constructor(scenario: Scenario, tools: string[] = Object.keys(scenario.rules)) {
    mkdirSync(this.bin);
    mkdirSync(this.sys);
    mkdirSync(this.home);
    for (const t of tools) {
      const shim = join(this.bin, t);
      writeFileSync(shim, `#!/bin/sh\n# FAKE ${t} for tests: records argv, answers from the scenario\nexec "${process.execPath}" "${FAKE_TOOL}" ${t} "$@"\n`);
      chmodSync(shim, 0o755);
    }
    for (const t of SYSTEM_TOOLS) {
      for (const d of ['/usr/bin', '/bin']) {
        if (existsSync(join(d, t)) && !existsSync(join(this.sys, t))) symlinkSync(join(d, t), join(this.sys, t));
      }
    }
    symlinkSync(process.execPath, join(this.sys, 'node'));
    this.setScenario(scenario);
  }

  setScenario(scenario: Scenario): void {
    writeFileSync(this.scenarioFile, JSON.stringify(scenario));
    rmSync(this.stateFile, { force: true });
  }

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      PATH: `${this.bin}:${this.sys}`,
      HOME: this.home,
      LANG: 'en_US.UTF-8',
      FAKE_SCENARIO: this.scenarioFile,
      FAKE_LOG: this.log,
      FAKE_STATE: this.stateFile,
      WORKBOOK_STATE_DIR: this.stateDir,
      NO_COLOR: '1',
      ...extra,
    };
  }

  calls(tool?: string): FakeCall[] {
    if (!existsSync(this.log)) return [];
    const all = readFileSync(this.log, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as FakeCall);
    const calls = all.filter((c) => !c.end);
    return tool ? calls.filter((c) => c.tool === tool) : calls;
  }

  /** When each sleeping call ended, by pid. */
  ends(): Map<number, number> {
    if (!existsSync(this.log)) return new Map();
    return new Map(
      readFileSync(this.log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as FakeCall)
        .filter((c) => c.end)
        .map((c) => [c.pid, c.t1!]),
    );
  }

  clearCalls(): void {
    rmSync(this.log, { force: true });
  }

  progress(): any {
    return JSON.parse(readFileSync(join(this.stateDir, 'progress.json'), 'utf8'));
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  pid?: number;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitFor<T>(what: string, fn: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Spawn the real built CLI (no stdin, so never a TTY). */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { cwd?: string; timeoutMs?: number; onSpawn?: (child: import('node:child_process').ChildProcess) => void } = {},
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, cwd: options.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    options.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr, pid: child.pid });
    });
  });
}
