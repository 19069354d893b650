#!/usr/bin/env node
// FAKE kind/helm/kubectl/docker/sysctl for tests. Never a real tool: it records its argv and answers from a
// scenario file. Used through the shims that test/helpers/fakes.ts writes onto PATH.
//
// FAKE_SCENARIO  JSON: { "rules": { "<tool>": [rule, ...] }, "state": {...} }
//   rule: { "argv": [...] | "prefix": [...],            match exactly, or by leading arguments
//           "stdout", "stderr", "exitCode",              the answer; stdout may use {{stateKey}}
//           "set": { key: value },                        change the shared state after answering
//           "when": { key: value },                       only when state[key] === value
//           "listen": true,                               port-forward: listen on 127.0.0.1:<LOCAL> of LOCAL:REMOTE
//           "proxyTo": "127.0.0.1:PORT",                 ...and pipe each connection there (else answer HTTP 200 "fake")
//           "dieAfterMs": n,                              ...and exit 1 after n ms (a forward that dies)
//           "listenAfterMs": n,                           ...and start listening only after n ms (a pod starting)
//           "sleepMs": n,                                 take this long to answer (a slow pull, a long install)
//           "writes": { "after": FLAG, "name"?, "content" }  write a file where the real tool would: at the argument
//                                                         after FLAG (docker save -o FILE), or NAME inside that
//                                                         folder (helm pull --destination DIR writes CHART-VERSION.tgz)
// FAKE_LOG       file: one JSON line per call {tool, argv}
// FAKE_STATE     file: the shared state, one JSON object of changes a line (appended: fakes run in parallel)
// In "set" and "when" keys, {{argvN}} stands for the Nth argument (e.g. "pulled:{{argv1}}" for docker pull REF).
import { appendFileSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import net from 'node:net';

const [tool, ...argv] = process.argv.slice(2);
const scenario = JSON.parse(readFileSync(process.env.FAKE_SCENARIO, 'utf8'));
const t0 = Date.now();
if (process.env.FAKE_LOG) appendFileSync(process.env.FAKE_LOG, JSON.stringify({ tool, argv, pid: process.pid, t0 }) + '\n');

const stateFile = process.env.FAKE_STATE;
const loadState = () => {
  const state = { ...(scenario.state ?? {}) };
  if (stateFile && existsSync(stateFile)) {
    for (const line of readFileSync(stateFile, 'utf8').split('\n')) if (line) Object.assign(state, JSON.parse(line));
  }
  return state;
};
const state = loadState();
const key = (k) => k.replace(/\{\{argv(\d+)\}\}/g, (_, i) => argv[Number(i)] ?? '');

const eq = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const starts = (a, p) => p.length <= a.length && p.every((x, i) => x === a[i]);
const whenOk = (r) => !r.when || Object.entries(r.when).every(([k, v]) => state[key(k)] === v);
const rule = (scenario.rules?.[tool] ?? []).find((r) => whenOk(r) && (r.argv ? eq(argv, r.argv) : r.prefix ? starts(argv, r.prefix) : false));

if (!rule) {
  process.stderr.write(`fake ${tool}: no rule for: ${JSON.stringify(argv)}\n`);
  process.exit(99);
}

const fill = (s) => String(s ?? '').replace(/\{\{(\w+)\}\}/g, (_, k) => String(state[k] ?? ''));
if (rule.set) {
  const changes = Object.fromEntries(Object.entries(rule.set).map(([k, v]) => [key(k), v]));
  Object.assign(state, changes);
  if (stateFile) appendFileSync(stateFile, JSON.stringify(changes) + '\n');
}
// docker save --output writes the image's tar there (docs.docker.com/engine/reference/commandline/save); helm pull
// --destination writes <chart>-<version>.tgz into the folder (helm/helm@v3.12.3 cmd/helm/pull.go, pkg/action/pull.go)
if (rule.writes) {
  const at = argv.indexOf(rule.writes.after);
  if (at >= 0 && argv[at + 1]) writeFileSync(rule.writes.name ? join(argv[at + 1], rule.writes.name) : argv[at + 1], fill(rule.writes.content));
}
if (rule.stdout) process.stdout.write(fill(rule.stdout));
if (rule.stderr) process.stderr.write(fill(rule.stderr));

if (rule.listen) {
  const spec = argv.find((a) => /^\d+:\d+$/.test(a));
  const local = Number(spec.split(':')[0]);
  const server = net.createServer((sock) => {
    if (rule.proxyTo) {
      const [host, port] = rule.proxyTo.split(':');
      const up = net.connect({ host, port: Number(port) });
      sock.pipe(up).pipe(sock);
      up.on('error', () => sock.destroy());
      sock.on('error', () => up.destroy());
    } else {
      sock.once('data', () => sock.end('HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\nfake'));
    }
  });
  // listenAfterMs: a forward whose pod is still starting answers only later (kubectl waits for a ready pod)
  setTimeout(() => {
    server.listen({ port: local, host: '127.0.0.1' }, () => {
      // kubectl's own line (kubernetes/client-go@v0.27.3 tools/portforward/portforward.go)
      process.stdout.write(`Forwarding from 127.0.0.1:${local} -> ${spec.split(':')[1]}\n`);
    });
  }, rule.listenAfterMs ?? 0);
  if (rule.dieAfterMs) setTimeout(() => process.exit(1), rule.dieAfterMs);
  process.on('SIGTERM', () => process.exit(0));
} else if (rule.sleepMs) {
  setTimeout(() => {
    if (process.env.FAKE_LOG) appendFileSync(process.env.FAKE_LOG, JSON.stringify({ tool, argv, pid: process.pid, t0, t1: Date.now(), end: true }) + '\n');
    process.exit(rule.exitCode ?? 0);
  }, rule.sleepMs);
} else {
  process.exitCode = rule.exitCode ?? 0;
}
