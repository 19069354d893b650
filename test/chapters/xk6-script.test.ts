// The k6 script the lab's xk6 pod runs (manifests/xk6-client-tracing.yaml, ConfigMap xk6-shop-script) is the
// article's three templates, equal to scripts/lab/shop.ts, and runs without the internet and without an end.
import { describe, expect, it } from 'vitest';
import { runInNewContext } from 'node:vm';
import { xk6Manifest } from '../helpers/values.js';
import { SHOP_TEMPLATES } from '../../scripts/lab/shop.js';

/** Evaluate the script's module body with a stand-in for k6's modules; return what it defines. */
function evaluate(script: string): { templates: unknown; options: { duration?: string; vus?: number }; pushed: unknown[] } {
  const pushed: unknown[] = [];
  const tracing = {
    SEMANTICS_HTTP: 'http',
    SEMANTICS_DB: 'db',
    EXPORTER_OTLP: 'otlp',
    Client: class {
      constructor(readonly o: unknown) {}
      push(t: unknown) {
        pushed.push(t);
      }
      shutdown() {}
    },
    TemplatedGenerator: class {
      constructor(readonly t: unknown) {}
      traces() {
        return this.t;
      }
    },
  };
  const body = script
    .replace(/^import .*$/gm, '')
    .replace(/^export default function/m, 'function __default')
    .replace(/^export /gm, '');
  const sandbox: Record<string, unknown> = { tracing, __ENV: {}, sleep: () => {}, Math };
  runInNewContext(`${body}\n;globalThis.__out = { templates: traceTemplates, options, run: __default };`, sandbox);
  const out = sandbox.__out as { templates: unknown; options: { duration?: string; vus?: number }; run: () => void };
  for (let i = 0; i < 30; i++) out.run();
  return { templates: out.templates, options: out.options, pushed };
}

describe('the xk6 script in manifests/xk6-client-tracing.yaml', () => {
  const { script, deployment } = xk6Manifest();
  const got = evaluate(script);

  it('holds the article\'s three templates, key for key as scripts/lab/shop.ts (xk6-client-tracing@v0.0.2 template.js)', () => {
    expect(got.templates).toEqual(SHOP_TEMPLATES.map(({ id: _id, ...t }) => t));
  });
  it('imports nothing from the web and does not end after 20 minutes', () => {
    expect(script).not.toMatch(/https?:\/\//);
    expect(script.match(/^import .* from '([^']+)';$/gm)).toEqual(["import { sleep } from 'k6';", "import tracing from 'k6/x/tracing';"]);
    expect(got.options).toEqual({ vus: 1, duration: '8760h' });
  });
  it('picks among all three templates', () => {
    expect(new Set(got.pushed).size).toBe(3);
  });
  it('the Deployment runs it from the ConfigMap', () => {
    const spec = deployment.spec.template.spec;
    expect(spec.containers[0].args).toEqual(['run', '/scripts/shop.js']);
    expect(spec.containers[0].volumeMounts).toEqual([{ name: 'script', mountPath: '/scripts' }]);
    expect(spec.volumes).toEqual([{ name: 'script', configMap: { name: 'xk6-shop-script' } }]);
  });
});
