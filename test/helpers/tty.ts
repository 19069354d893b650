// A TTY stub for in-process runs of main(): stdin and stdout claim to be terminals, keys are typed by the test.
import { PassThrough, Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';

export class FakeTtyOut extends Writable {
  isTTY = true;
  columns = 120;
  rows = 40;
  raw = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.raw += chunk.toString();
    cb();
  }
  get text(): string {
    return stripVTControlCharacters(this.raw);
  }
  getColorDepth(): number {
    return 1;
  }
  hasColors(): boolean {
    return false;
  }
}

export class FakeTtyIn extends PassThrough {
  isTTY = true;
  isRaw = false;
  setRawMode(mode: boolean): this {
    this.isRaw = mode;
    return this;
  }
}

export const KEY = { enter: '\r', down: '\x1b[B', up: '\x1b[A', right: '\x1b[C', left: '\x1b[D' } as const;

/** Wait until the screen shows `text` (after `from`), then type `keys`. */
export async function typeWhen(out: FakeTtyOut, text: string, input: FakeTtyIn, keys: string, from = 0, timeoutMs = 15_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const at = out.text.indexOf(text, from);
    if (at >= 0) {
      await new Promise((r) => setTimeout(r, 30));
      input.write(keys);
      return at + text.length;
    }
    if (Date.now() > deadline) throw new Error(`screen never showed "${text}":\n${out.text.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
