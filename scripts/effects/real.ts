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

/**
 * The lab's HTTP client, on node:http(s) rather than fetch: fetch refuses the Fetch standard's "bad ports"
 * (6000, 10080, …), and a learner may run Prometheus on any port. A connection error or a timeout rejects with
 * one line naming the URL; a body is read chunk by chunk and abandoned past MAX_BODY_BYTES (a 2 GiB stream must
 * not exhaust memory).
 */
export const realHttp: Http = {
  async request(url, init = {}) {
    const method = init.method ?? 'GET';
    const timeoutMs = init.timeoutMs ?? 10_000;
    const fail = (why: string) => new Error(`${method} ${url}: ${why}`);
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw fail('ERR_INVALID_URL');
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw fail(`ERR_INVALID_URL (${u.protocol} is not http or https)`);
    const { request } = u.protocol === 'https:' ? await import('node:https') : await import('node:http');
    return new Promise((resolve, reject) => {
      let settled = false;
      const done = (f: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        f();
      };
      const req = request(u, { method, headers: { ...(init.body !== undefined ? { 'content-length': String(Buffer.byteLength(init.body)) } : {}), ...init.headers } }, (res) => {
        const declared = Number(res.headers['content-length']);
        if (declared > MAX_BODY_BYTES) {
          done(() => reject(fail(`response larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB (content-length ${declared})`)));
          return res.destroy();
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.byteLength;
          if (size > MAX_BODY_BYTES) {
            done(() => reject(fail(`response larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB`)));
            return res.destroy();
          }
          chunks.push(c);
        });
        res.on('aborted', () => done(() => reject(fail('body cut short (the connection closed mid-answer)'))));
        res.on('error', (err) => done(() => reject(fail(`body cut short (${err.message})`))));
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
          done(() => resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') }));
        });
      });
      const timer = setTimeout(() => {
        done(() => reject(fail(`no answer within ${timeoutMs} ms`)));
        req.destroy();
      }, timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) => done(() => reject(fail(err.code ?? err.message))));
      if (init.body !== undefined) req.write(init.body);
      req.end();
    });
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
