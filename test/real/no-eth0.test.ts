// The embedded lab on a laptop whose interface is not eth0: inside a network namespace of its own (unshare -n)
// whose only interfaces are loopback and a veth pair named wlp2s0 / wlx0 (as a Wi-Fi laptop's), `lab up` in both
// layouts, chapters 2–6 pass, `lab down` leaves nothing. Before every ring had 127.0.0.1, Tempo died there with
// "no useable address found for interfaces [eth0 en0]". Needs root and unshare (CI has both); skipped elsewhere.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT } from '../helpers/fakes.js';
import { tempoBinary } from '../helpers/real-tempo.js';
import { prometheusBinary } from '../helpers/prometheus.js';

const found = tempoBinary();
const tempoBin = found.bin && !found.bin.startsWith('docker:') ? found.bin : undefined;
const canNet = process.getuid?.() === 0 && spawnSync('unshare', ['-n', 'sh', '-c', 'ip link add wlp2s0 type veth peer name wlx0']).status === 0;
if (!canNet) console.log('the no-eth0 test is skipped: it needs root, unshare -n and veth links');

describe.skipIf(!tempoBin || !canNet)('the embedded lab with no eth0 (a namespace whose interface is wlp2s0)', () => {
  for (const layout of ['monolithic', 'microservices'] as const) {
    it(`${layout}: up, chapters 2–6 pass, down leaves nothing`, () => {
      const d = mkdtempSync(join(tmpdir(), 'wb-noeth0-'));
      try {
        const cli = `"${process.execPath}" "${join(ROOT, 'dist/scripts/cli.js')}"`;
        const flags = `--state-dir "${d}"`;
        const script = [
          'set -e',
          'ip link set lo up',
          'ip link add wlp2s0 type veth peer name wlx0',
          'ip link set wlp2s0 up',
          'ip -br link > "$D/links.txt"',
          `${cli} lab up ${layout === 'microservices' ? '--microservices' : ''} ${flags} --tempo-bin "${tempoBin}" > "$D/up.txt" 2>&1`,
          `${cli} verify all ${flags} --timeout 3m --json "$D/report.json" > "$D/verify.txt" 2>&1 || true`,
          `${cli} lab down ${flags} > "$D/down.txt" 2>&1`,
        ].join('\n');
        const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true', D: d, PATH: `${process.env.PATH}:${prometheusBinary().replace(/\/prometheus$/, '')}` };
        delete env.WORKBOOK_STATE_DIR;
        const r = spawnSync('unshare', ['-n', 'sh', '-c', script], { env, encoding: 'utf8', timeout: 400_000 });
        const out = (f: string) => {
          try {
            return readFileSync(join(d, f), 'utf8');
          } catch {
            return '';
          }
        };
        expect(r.status, `${r.stderr}\n${out('up.txt')}`).toBe(0);
        expect(out('links.txt')).not.toMatch(/^eth0|^en0/m);
        expect(out('links.txt')).toMatch(/^wlp2s0/m);
        const report = JSON.parse(out('report.json')) as { chapters: { id: string; state: string }[] };
        expect(report.chapters.filter((c) => c.state !== 'not-applicable').map((c) => [c.id, c.state]), out('verify.txt')).toEqual([
          ['prometheus', 'passed'],
          ['tempo', 'passed'],
          ['traffic', 'passed'],
          ['traces', 'passed'],
          ['metrics-generator', 'passed'],
        ]);
        expect(out('down.txt')).toMatch(/^Stopped /);
      } finally {
        rmSync(d, { recursive: true, force: true });
      }
    }, 420_000);
  }
});
