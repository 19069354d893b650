import type { FakeRule, Scenario } from './fakes.js';

const GIB = 1024 ** 3;

export function dockerInfo(memGiB: number): string {
  return JSON.stringify({ ServerVersion: '24.0.6', MemTotal: Math.round(memGiB * GIB), NCPU: 4, OperatingSystem: 'Docker Desktop' }) + '\n';
}

/** A machine with everything the lab needs. Each piece can be replaced per test. */
export function goodMachine(over: Partial<Record<string, FakeRule[]>> = {}): Scenario {
  return {
    rules: {
      docker: [
        { argv: ['version', '--format', '{{.Client.Version}}'], stdout: '24.0.6\n' },
        { argv: ['info', '--format', '{{json .}}'], stdout: dockerInfo(8) },
      ],
      kind: [{ argv: ['version'], stdout: 'kind v0.20.0 go1.20.4 linux/amd64\n' }],
      kubectl: [{ argv: ['version', '--client', '--output=json'], stdout: JSON.stringify({ clientVersion: { gitVersion: 'v1.28.2' }, kustomizeVersion: 'v5.0.4' }) }],
      helm: [{ argv: ['version', '--template', '{{.Version}}'], stdout: 'v3.12.3' }],
      sysctl: [{ argv: ['-n', 'fs.inotify.max_user_watches', 'fs.inotify.max_user_instances'], stdout: '524288\n512\n' }],
      ...over,
    },
  };
}

export const daemonDown: FakeRule[] = [
  { argv: ['version', '--format', '{{.Client.Version}}'], stdout: '24.0.6\n' },
  {
    argv: ['info', '--format', '{{json .}}'],
    stdout: '',
    stderr: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n',
    exitCode: 1,
  },
];

export const lowMemory: FakeRule[] = [
  { argv: ['version', '--format', '{{.Client.Version}}'], stdout: '24.0.6\n' },
  { argv: ['info', '--format', '{{json .}}'], stdout: dockerInfo(3.8) },
];
