import { createContext, type Effects } from '../../scripts/effects/context.js';
import type { LabContext, Command, Lab } from '../../scripts/core/model.js';
import { realClock, realFs, realHttp, realNet, type Shell, type ShellResult } from '../../scripts/effects/real.js';
import { PortForwardManager } from '../../scripts/effects/portforward.js';
import { ProgressStore } from '../../scripts/effects/progress.js';
import { getProfile } from '../../scripts/lab/versions.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function testLab(over: Partial<Lab> = {}): Lab {
  return {
    lang: 'en',
    profile: getProfile('article'),
    clusterName: 'tempo-lab',
    context: 'kind-tempo-lab',
    namespaces: { prometheus: 'prometheus', tracing: 'tracing' },
    urls: {},
    timeoutMs: 15_000,
    yes: true,
    interactive: false,
    ci: true,
    stateDir: mkdtempSync(join(tmpdir(), 'wb-state-')),
    showSecrets: false,
    grafanaAuth: {},
    localPorts: { grafana: 3000, prometheus: 9090, tempo: 3100, distributor: 3101, otlp: 4318, generator: 3102 },
    ...over,
  };
}

/** A scripted shell (in-process fake): answers by exact command line, records every call. */
export function scriptedShell(answers: Record<string, Partial<ShellResult>>): Shell & { calls: Command[] } {
  const calls: Command[] = [];
  return {
    calls,
    async run(cmd) {
      calls.push(cmd);
      const a = answers[cmd.argv.join(' ')];
      if (!a) return { exitCode: 99, stdout: '', stderr: `scripted shell: no answer for ${cmd.argv.join(' ')}` };
      return { exitCode: 0, stdout: '', stderr: '', ...a };
    },
    async which(tool) {
      return `/fake/bin/${tool}`;
    },
  };
}

export async function testContext(lab: Lab, ports: Partial<Effects> = {}): Promise<LabContext> {
  const store = await ProgressStore.open(lab.stateDir);
  const all: Effects = { shell: scriptedShell({}), http: realHttp, clock: realClock, fs: realFs, net: realNet, ...ports };
  return createContext(lab, all, store, new PortForwardManager());
}
