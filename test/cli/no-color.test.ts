// Colour only where it is wanted: a terminal, and neither NO_COLOR (https://no-color.org) nor TERM=dumb.
import { describe, expect, it } from 'vitest';
import { main } from '../../scripts/main.js';
import { FakeWorld } from '../helpers/fakes.js';
import { FakeTtyIn, FakeTtyOut } from '../helpers/tty.js';

async function lessonIn(extra: Record<string, string>): Promise<string> {
  const world = new FakeWorld({ rules: {} });
  try {
    // the fakes' environment says NO_COLOR=1 for every other test; here each case sets its own
    const env: NodeJS.ProcessEnv = { ...world.env(), ...extra };
    delete env.CI;
    if (!('NO_COLOR' in extra)) delete env.NO_COLOR;
    const stdout = new FakeTtyOut();
    const io = { env, cwd: process.cwd(), stdin: new FakeTtyIn() as never, stdout: stdout as never, stderr: new FakeTtyOut() as never };
    expect(await main(['lesson', '0'], io)).toBe(0);
    return stdout.raw;
  } finally {
    world.cleanup();
  }
}

describe('lessons in a terminal', () => {
  it('are bold and coloured in a plain terminal', async () => {
    expect(await lessonIn({ TERM: 'xterm-256color' })).toMatch(/\x1b\[/);
  });
  it.each([[{ NO_COLOR: '1', TERM: 'xterm-256color' }], [{ TERM: 'dumb' }]])('carry no escape with %j', async (env) => {
    const raw = await lessonIn(env);
    expect(raw.length).toBeGreaterThan(200);
    expect(raw).not.toMatch(/\x1b/);
  });
});
