// The k6 script the lab's xk6 pod runs (manifests/xk6-client-tracing.yaml, ConfigMap xk6-shop-script) is the
// article's three templates, equal to scripts/lab/shop.ts, and runs without the internet and without an end.
import { describe, expect, it } from 'vitest';
import { runInNewContext } from 'node:vm';
import { xk6Manifest } from '../helpers/values.js';
import { HTTP_NAMES_V0_0_2, httpNamesOf, SHOP_TEMPLATES, type ShopTemplate } from '../../scripts/lab/shop.js';
import { getProfile, profileNames } from '../../scripts/lab/versions.js';

/** Evaluate the script's module body with a stand-in for k6's modules; return what it defines. */
function evaluate(script: string): { templates: unknown; options: { duration?: string; vus?: number }; pushed: unknown[]; clients: unknown[] } {
  const pushed: unknown[] = [];
  const clients: unknown[] = [];
  const tracing = {
    SEMANTICS_HTTP: 'http',
    SEMANTICS_DB: 'db',
    EXPORTER_OTLP: 'otlp',
    Client: class {
      constructor(readonly o: unknown) {
        clients.push(o);
      }
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
  return { templates: out.templates, options: out.options, pushed, clients };
}

/** The shop's templates as a generator of these names fixes a status: http.status_code, or http.response.status_code since v0.0.8. */
const templatesNamed = (status: string) =>
  SHOP_TEMPLATES.map(({ id: _id, ...t }): Omit<ShopTemplate, 'id'> => ({
    ...t,
    spans: t.spans.map((s) => (s.attributes ? { ...s, attributes: Object.fromEntries(Object.entries(s.attributes).map(([k, v]) => [k === HTTP_NAMES_V0_0_2.status ? status : k, v])) } : s)),
  }));

// every profile's generator manifest (derived: a profile added with its own manifest is held here too)
const manifests = [...new Map(profileNames().map((n) => getProfile(n)).map((p) => [p.manifests!['xk6-client-tracing'], p])).entries()];

describe.each(manifests)('the xk6 script in %s', (file, profile) => {
  const { script, deployment } = xk6Manifest(file);
  const got = evaluate(script);
  const names = httpNamesOf(profile);

  it(`holds the article's three templates, key for key as scripts/lab/shop.ts, a fixed status named ${names.status}`, () => {
    expect(got.templates).toEqual(templatesNamed(names.status));
  });
  it('runs the profile\'s pinned image, with its TLS setting where that release reads it', () => {
    expect(deployment.spec.template.spec.containers[0].image).toBe(profile.images['xk6-client-tracing']);
    // v0.0.2 reads `insecure` at the top (tracing.go at v0.0.2); v0.0.10 under `tls` (tracing.go ClientConfig.TLS)
    expect(got.clients).toEqual([names === HTTP_NAMES_V0_0_2 ? expect.objectContaining({ insecure: true }) : expect.objectContaining({ tls: { insecure: true } })]);
    expect(got.clients[0]).not.toHaveProperty(names === HTTP_NAMES_V0_0_2 ? 'tls' : 'insecure');
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
