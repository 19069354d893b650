import type { EndpointName, Lab, UrlName } from './model.js';

/**
 * Every endpoint the workbook talks to, declared once: how a learner names it (flag, environment variable,
 * settings key), the local port its port-forward prefers, what it forwards to (as the charts name things, see
 * manifests/*.values.yaml), and whether `workbook open` offers it. Flags, settings, port-forwards, `open` and the
 * errors that name a flag all read this table.
 */
export interface EndpointSpec {
  /** --<name>-url, WORKBOOK_<NAME>_URL, <name>-url in the settings file; undefined: not named by the learner */
  url?: UrlName;
  localPort: number;
  forward: (lab: Lab) => { namespace: string; resource: string; remotePort: number };
  /** `workbook open <name>` */
  open?: boolean;
  /** what the flag is for, in --help */
  help?: { en: string; 'zh-TW': string };
}

export const ENDPOINTS: Record<EndpointName, EndpointSpec> = {
  grafana: {
    url: 'grafana',
    localPort: 3000,
    open: true,
    forward: (lab) => ({ namespace: lab.namespaces.prometheus, resource: 'service/prometheus-stack-grafana', remotePort: 80 }),
    help: { en: 'use this Grafana instead of a port-forward', 'zh-TW': '直接使用此 Grafana 端點，不做 port-forward' },
  },
  prometheus: {
    url: 'prometheus',
    localPort: 9090,
    open: true,
    forward: (lab) => ({ namespace: lab.namespaces.prometheus, resource: 'service/prometheus-stack-prometheus', remotePort: 9090 }),
    help: { en: 'use this Prometheus instead of a port-forward', 'zh-TW': '直接使用此 Prometheus 端點，不做 port-forward' },
  },
  tempo: {
    url: 'tempo',
    localPort: 3100,
    open: true,
    forward: (lab) => ({ namespace: lab.namespaces.tracing, resource: 'service/tempo-query-frontend', remotePort: 3100 }),
    help: { en: 'use this Tempo instead of a port-forward', 'zh-TW': '直接使用此 Tempo 端點，不做 port-forward' },
  },
  // the ingester ring page and the spans counters live on the distributor
  distributor: {
    url: 'distributor',
    localPort: 3101,
    forward: (lab) => ({ namespace: lab.namespaces.tracing, resource: 'service/tempo-distributor', remotePort: 3100 }),
    help: { en: "Tempo's distributor (ingester ring, spans received), when --tempo-url is the query-frontend of a microservices Tempo", 'zh-TW': 'Tempo 的 distributor（ingester ring、收到的 span 數）；當 --tempo-url 指向微服務 Tempo 的 query-frontend 時使用' },
  },
  // OTLP over HTTP, for `workbook traffic`
  otlp: {
    url: 'otlp',
    localPort: 4318,
    forward: (lab) => ({ namespace: lab.namespaces.tracing, resource: 'service/tempo-distributor', remotePort: 4318 }),
    help: { en: 'traffic: send OTLP/HTTP here instead of a port-forward to the distributor', 'zh-TW': 'traffic：直接送 OTLP/HTTP 到此端點，不對 distributor 做 port-forward' },
  },
  // the metrics generator's /metrics (its remote-write counters), for chapter 6's diagnoses; with explicit URLs it
  // is the monolithic --tempo-url
  generator: {
    localPort: 3102,
    forward: (lab) => ({ namespace: lab.namespaces.tracing, resource: 'service/tempo-metrics-generator', remotePort: 3100 }),
  },
};

export const ENDPOINT_NAMES = Object.keys(ENDPOINTS) as EndpointName[];
/** Endpoints a learner can name, in the order flags and settings list them. */
export const URL_NAMES = ENDPOINT_NAMES.map((n) => ENDPOINTS[n].url).filter((u): u is UrlName => !!u);
export const OPEN_TARGETS = ENDPOINT_NAMES.filter((n) => ENDPOINTS[n].open);

export const urlFlag = (u: UrlName) => `${u}-url` as const;
export const urlEnv = (u: UrlName) => `WORKBOOK_${u.toUpperCase()}_URL`;
export const DEFAULT_LOCAL_PORTS = Object.fromEntries(ENDPOINT_NAMES.map((n) => [n, ENDPOINTS[n].localPort])) as Record<EndpointName, number>;
