// Every file the workbook reads is bounded: a settings file or a progress file that is not a regular file of sane
// size is refused with one line and exit 2, at once (`status --config /dev/zero` once took 232 s and 16.8 GB).
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeWorld, runCli } from '../helpers/fakes.js';
import { MAX_READ_BYTES } from '../../scripts/core/read.js';

const world = new FakeWorld({ rules: {} });
afterAll(() => world.cleanup());

describe('bounded reads', () => {
  it.each([
    ['/dev/zero', 'error: cannot read settings file /dev/zero: is not a regular file'],
    ['big.yaml', `error: cannot read settings file ${join(world.dir, 'big.yaml')}: is ${MAX_READ_BYTES + 1} bytes, more than the 4 MiB a workbook file may have`],
    ['settings.fifo', `error: cannot read settings file ${join(world.dir, 'settings.fifo')}: is not a regular file`],
  ])('status --config %s: one line, exit 2', async (name, line) => {
    if (name === 'big.yaml') writeFileSync(join(world.dir, name), Buffer.alloc(MAX_READ_BYTES + 1, 0x20));
    if (name === 'settings.fifo') expect(spawnSync('mkfifo', [join(world.dir, name)]).status).toBe(0);
    const r = await runCli(['status', '--config', name.startsWith('/') ? name : join(world.dir, name)], world.env({ CI: 'true' }));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${line}\n`);
  });

  it('a progress file that is a FIFO: one line, exit 2, nothing waits for a writer', async () => {
    const dir = join(world.dir, 'state-fifo');
    mkdirSync(dir, { recursive: true });
    expect(spawnSync('mkfifo', [join(dir, 'progress.json')]).status).toBe(0);
    const r = await runCli(['status', '--state-dir', dir], world.env({ CI: 'true' }));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: cannot read progress file ${join(dir, 'progress.json')}: ${join(dir, 'progress.json')} is not a regular file\n`);
  });
});

describe('empty values and an empty HOME', () => {
  it.each([
    [['verify', 'teardown', '--json', ''], 'error: --json needs a value (it was empty)'],
    [['status', '--state-dir', ''], 'error: --state-dir needs a value (it was empty)'],
    [['plan', 'all', '--context', ''], 'error: --context needs a value (it was empty)'],
    [['traffic', '--rate', '0'], 'error: --rate must be a number of traces per second greater than 0 and at most 1000, not "0"'],
  ])('%j: one line, exit 2', async (args, line) => {
    const r = await runCli(args, world.env({ CI: 'true' }));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${line}\n`);
  });

  it('HOME= (empty) never writes state into the current folder: it uses the account\'s home', async () => {
    const cwd = join(world.dir, 'here');
    mkdirSync(cwd, { recursive: true });
    const env = world.env({ CI: 'true', HOME: '' });
    delete env.WORKBOOK_STATE_DIR;
    delete env.XDG_STATE_HOME;
    const r = await runCli(['status'], env, { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain(`${cwd}/.local`);
    expect(r.stdout).toMatch(/^Progress \(\/.+\/\.local\/state\/tempo-workbook\/progress\.json\)/);
  });
});

describe('a long message on a pipe', () => {
  it('reaches the reader whole before the process exits (it was cut at 64 KiB)', async () => {
    const name = 'a'.repeat(100_000);
    const r = await runCli(['verify', name], world.env({ CI: 'true' }));
    expect(r.code).toBe(2);
    expect(r.stderr.startsWith(`error: unknown chapter "${name}"`)).toBe(true);
    expect(r.stderr.endsWith(')\n')).toBe(true);
  });
});
