import { readFile } from 'node:fs/promises';
import type { Clock, Fs, Http, Net } from '../core/effects.js';

// the interfaces are the core's (scripts/core/effects.ts); here are the real implementations
export type { Clock, Fs, Http, HttpRequest, HttpResponse, Net, RunOptions, Shell, ShellResult } from '../core/effects.js';

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export const realFs: Fs = {
  async readText(path) {
    try {
      return await readFile(path, 'utf8');
    } catch {
      return undefined;
    }
  },
};

/** No API the workbook asks answers more than a few MiB; a bigger body is a wrong endpoint, and is not read. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** The body as text, read chunk by chunk and abandoned past `max` bytes (a 2 GiB stream must not exhaust memory). */
async function readCapped(res: Response, max: number): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (declared > max) {
    await res.body?.cancel().catch(() => {});
    throw new Error(`response larger than ${max / 1024 / 1024} MiB (content-length ${declared})`);
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) {
        await reader.cancel().catch(() => {});
        throw new Error(`response larger than ${max / 1024 / 1024} MiB`);
      }
      chunks.push(value);
    }
  } catch (err) {
    if (/larger than/.test((err as Error).message)) throw err;
    throw new Error(`body cut short (${(err as Error).message})`);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** fetch-based HTTP port; a connection error rejects with a one-line message naming the URL. */
export const realHttp: Http = {
  async request(url, init = {}) {
    let res: Response;
    try {
      res = await fetch(url, {
        method: init.method ?? 'GET',
        headers: init.headers,
        body: init.body,
        signal: AbortSignal.timeout(init.timeoutMs ?? 10_000),
        redirect: 'manual',
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      const why = e.name === 'TimeoutError' ? `no answer within ${init.timeoutMs ?? 10_000} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
      throw new Error(`${init.method ?? 'GET'} ${url}: ${why}`);
    }
    const body = await readCapped(res, MAX_BODY_BYTES).catch((err: Error) => {
      throw new Error(`${init.method ?? 'GET'} ${url}: ${err.message}`);
    });
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => (headers[k] = v));
    return { status: res.status, headers, body };
  },
};


export const realNet: Net = {
  async isPortFree(port) {
    const { createServer } = await import('node:net');
    return new Promise((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
    });
  },
};
