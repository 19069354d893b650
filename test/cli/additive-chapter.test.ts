// A chapter is additive: its number and id come from its folder, and the catalog is found by walking chapters/.
// Copying chapters/05-traces to chapters/NN-again, NN the next free number (nothing else edited), gives a chapter
// NN that plan, lesson and verify know, with teardown still last and not part of `all`. Done in a copy of the built
// project.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/fakes.js';
import { startTempoServer, type TempoServer } from '../helpers/tempo-server.js';
import { chapterFolderProblems, CATALOG, CHAPTER_FOLDER, chapterFolders } from '../../scripts/core/catalog.js';

/** The next chapter number, and the chapter before it in `all` (teardown aside). */
const NEXT = Math.max(...CATALOG.map((c) => c.number)) + 1;
const BEFORE = CATALOG.filter((c) => c.role !== 'teardown').at(-1)!;
const DIR = `${String(NEXT).padStart(2, '0')}-again`;
let copy: string;
let tempo: TempoServer;
beforeAll(async () => {
  copy = mkdtempSync(join(tmpdir(), 'wb-additive-'));
  for (const f of ['package.json', 'chapters', 'dist', 'manifests']) cpSync(join(ROOT, f), join(copy, f), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
  // the whole change: one folder copied (sources and their build)
  cpSync(join(copy, 'chapters/05-traces'), join(copy, 'chapters', DIR), { recursive: true });
  cpSync(join(copy, 'dist/chapters/05-traces'), join(copy, 'dist/chapters', DIR), { recursive: true });
  tempo = await startTempoServer();
});
afterAll(async () => {
  await tempo?.close();
  rmSync(copy, { recursive: true, force: true });
});

const cli = (...args: string[]) => spawnSync(process.execPath, [join(copy, 'dist/scripts/cli.js'), ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true', WORKBOOK_STATE_DIR: join(copy, 'state') } });

describe('adding a chapter is adding a folder', () => {
  it('plan all lists the new chapter "again" last; teardown stays last and out of all', () => {
    const r = cli('plan', 'all');
    expect(r.status, r.stderr).toBe(0);
    const heads = r.stdout.split('\n').filter((l) => /^\d+\. /.test(l)).map((l) => l.replace(/ {2}\[.*$/, ''));
    expect(heads.at(-1)).toBe(`${NEXT}. Finding traces through the Tempo API`);
    expect(heads).not.toContain('8. Teardown');
    expect(r.stdout).toContain('[again]');
  });
  it('plan all --fast gives the new chapter a job of its own, after the chapter before it', () => {
    const r = cli('plan', 'all', '--fast');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^again:checks\\s+after: ${BEFORE.id}:checks`, 'm'));
    expect(r.stdout).not.toMatch(/^teardown/m);
  });
  it('its lesson prints the copied lesson', () => {
    const r = cli('lesson', String(NEXT));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Finding traces through the Tempo API');
  });
  it('verify again runs the copied checks', async () => {
    // async: the Tempo contract server answers from this very process
    const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [join(copy, 'dist/scripts/cli.js'), 'verify', 'again', '--tempo-url', tempo.url, '--timeout', '5s'], { env: { ...process.env, CI: 'true', WORKBOOK_STATE_DIR: join(copy, 'state') } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('exit', (status) => resolve({ status, stdout, stderr }));
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`${NEXT}. Finding traces through the Tempo API — 6/6 passed`);
  });
  it('--help names the new chapter too: the build\'s help cache knows it is out of date and main renders it', () => {
    const r = cli('--help');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Chapters: .*${NEXT} again`));
  });
  it('down still runs the teardown, the last chapter', () => {
    const r = cli('plan', '8');
    expect(r.stdout).toContain('8. Teardown  [teardown]');
  });
});

describe('folders and catalog agree (rustlings\' dev check)', () => {
  it('every chapters/NN-id folder is a chapter, numbered and named by its folder, teardown last', () => {
    // chapterFolders() leaves out a folder that would not load; the dev check names each such folder instead
    expect(chapterFolderProblems()).toEqual([]);
    expect(CATALOG.map((c) => c.dir)).toEqual([...chapterFolders().filter((d) => d !== '08-teardown'), '08-teardown']);
    for (const c of CATALOG) {
      const [, nn, id] = CHAPTER_FOLDER.exec(c.dir)!;
      expect([c.number, c.id]).toEqual([Number(nn), id]);
    }
    expect(CATALOG.at(-1)!.role).toBe('teardown');
    expect(CATALOG.filter((c) => c.role === 'teardown')).toHaveLength(1);
  });
});
