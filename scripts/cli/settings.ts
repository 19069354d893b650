import { existsSync } from 'node:fs';
import { readBoundedSync } from '../core/read.js';
import { runningLab } from '../effects/embedded-state.js';
import { readBundleRecord } from '../lab/bundle.js';
import { homedir, userInfo } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { UsageError } from '../core/errors.js';
import { parseDuration } from '../core/format.js';
import type { Flags } from './options.js';
import type { EndpointName, Lab, UrlName } from '../core/model.js';
import { langFromLocale, normalizeLang, type Lang } from '../core/text.js';
import { getProfile } from '../lab/versions.js';
import { DEFAULT_LOCAL_PORTS, ENDPOINT_NAMES, URL_NAMES, urlEnv, urlFlag } from '../core/endpoints.js';

/** Keys a settings file (workbook.config.yaml) may hold; same names as the flags. */
const BASE_KEYS = ['lang', 'profile', 'context', 'cluster', 'timeout', 'state-dir', 'tempo-bin', 'prometheus-bin'] as const;
type FileKey = (typeof BASE_KEYS)[number] | `${UrlName}-url`;
/** Keys a settings file may hold: the base ones and every endpoint's URL (scripts/core/endpoints.ts). */
const FILE_KEYS: readonly FileKey[] = [...BASE_KEYS, ...URL_NAMES.map(urlFlag)];
type FileSettings = Partial<Record<FileKey, string>>;

const ENV_KEYS = {
  lang: 'WORKBOOK_LANG',
  profile: 'WORKBOOK_PROFILE',
  context: 'WORKBOOK_CONTEXT',
  cluster: 'WORKBOOK_CLUSTER',
  timeout: 'WORKBOOK_TIMEOUT',
  'state-dir': 'WORKBOOK_STATE_DIR',
  'tempo-bin': 'WORKBOOK_TEMPO_BIN',
  'prometheus-bin': 'WORKBOOK_PROMETHEUS_BIN',
  ...Object.fromEntries(URL_NAMES.map((u) => [urlFlag(u), urlEnv(u)])),
} as Record<FileKey, string>;

export const DEFAULT_CLUSTER = 'tempo-lab';
export const DEFAULT_TIMEOUT_MS = 180_000;

export interface Io {
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
}

/** Where each setting came from, for WORKBOOK_DEBUG. */
export type Trace = string[];

export function isCI(env: NodeJS.ProcessEnv): boolean {
  // clack's isCI() only accepts CI === 'true'; CI=1 and other truthy spellings count here too.
  const v = env.CI;
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

export function isInteractive(io: Io): boolean {
  return io.stdinIsTTY && io.stdoutIsTTY && !isCI(io.env);
}

function readFileSettings(flags: Flags, io: Io, trace: Trace): FileSettings {
  const explicit = flags.config ?? io.env.WORKBOOK_CONFIG;
  const file = explicit ? resolve(io.cwd, explicit) : join(io.cwd, 'workbook.config.yaml');
  if (!existsSync(file)) {
    if (explicit) throw new UsageError(`settings file not found: ${explicit}`);
    return {};
  }
  let text: string;
  try {
    text = readBoundedSync(file);
  } catch (err) {
    throw new UsageError(`cannot read settings file ${file}: ${(err as Error).message.replace(`${file} `, '')}`);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new UsageError(`settings file ${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc == null) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError(`settings file ${file} must be a map of settings`);
  const out: FileSettings = {};
  for (const [k, v] of Object.entries(doc)) {
    if (!(FILE_KEYS as readonly string[]).includes(k)) {
      throw new UsageError(`settings file ${file}: unknown key "${k}" (known: ${FILE_KEYS.join(', ')})`);
    }
    // every setting is text (a number is fine for timeout, "90" meaning seconds); a map or list is a mistake
    if (typeof v !== 'string' && !(typeof v === 'number' && k === 'timeout')) {
      throw new UsageError(`settings file ${file}: ${k} must be text, not ${v === null ? 'empty' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a map' : `a ${typeof v}`}`);
    }
    out[k as keyof FileSettings] = String(v);
  }
  trace.push(`settings file: ${file}`);
  return out;
}

const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function validateClusterName(name: string): string {
  if (name.length > 50 || !DNS1123.test(name)) {
    throw new UsageError(`cluster name "${name}" must be lower-case letters, digits and "-", start and end with a letter or digit, at most 50 characters`);
  }
  return name;
}

function validateUrl(value: string, from: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new UsageError({ en: `${from} "${value}" is not a URL (e.g. http://127.0.0.1:9090)`, 'zh-TW': `${from} "${value}" 不是網址（例如 http://127.0.0.1:9090）` });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`${from} must be http:// or https://`);
  // credentials in a URL end up in every line of evidence; Grafana's have their own variables
  if (u.username || u.password) {
    throw new UsageError(`${from} must not hold a user name or password (it would be printed with every attempt): for Grafana, set WORKBOOK_GRAFANA_USER and WORKBOOK_GRAFANA_PASSWORD`);
  }
  if (u.search || u.hash || value.includes('?') || value.includes('#')) throw new UsageError(`${from} must be a base URL, without ?query or #fragment (paths are added to it)`);
  return `${u.origin}${u.pathname}`.replace(/\/+$/, '');
}


/** defaults ← settings file ← environment ← flags. */
/**
 * Where state lives by default: $XDG_STATE_HOME, else <home>/.local/state. An empty or relative HOME (HOME=) must
 * not put state into the current folder: the account's home is used, or the learner is asked for --state-dir.
 */
function stateHomeOf(env: NodeJS.ProcessEnv): string {
  if (env.XDG_STATE_HOME && isAbsolute(env.XDG_STATE_HOME)) return env.XDG_STATE_HOME;
  const home = [env.HOME, homedir(), userInfo().homedir].find((h) => h && isAbsolute(h));
  if (!home) throw new UsageError({ en: 'no home folder to keep progress in (HOME is empty or not absolute): give one with --state-dir', 'zh-TW': '找不到可存放進度的家目錄（HOME 是空的或不是絕對路徑）：請用 --state-dir 指定' });
  return join(home, '.local', 'state');
}

export function resolveLab(flags: Flags, io: Io, trace: Trace = []): Lab {
  const file = readFileSettings(flags, io, trace);
  /** where the value of each setting came from, to name it in an error */
  const source: Partial<Record<FileKey, string>> = {};
  const pick = (key: FileKey): string | undefined => {
    const fromFlag = flags[key as keyof Flags];
    if (typeof fromFlag === 'string') return trace.push(`${key}: flag`), (source[key] = `--${key}`), fromFlag;
    const fromEnv = io.env[ENV_KEYS[key]];
    if (fromEnv) return trace.push(`${key}: ${ENV_KEYS[key]}`), (source[key] = ENV_KEYS[key]), fromEnv;
    if (file[key] !== undefined) return trace.push(`${key}: settings file`), (source[key] = `${key} in the settings file`), file[key];
    return undefined;
  };

  const langRaw = pick('lang');
  let lang: Lang;
  if (langRaw !== undefined) {
    const l = normalizeLang(langRaw);
    if (!l) throw new UsageError({ en: `${source.lang} must be en or zh-TW, not "${langRaw}"`, 'zh-TW': `${source.lang} 必須是 en 或 zh-TW，而不是 "${langRaw}"` });
    lang = l;
  } else {
    lang = langFromLocale(io.env.LC_ALL || io.env.LC_MESSAGES || io.env.LANG);
  }

  const stateDirRaw = pick('state-dir');
  const stateDir = stateDirRaw ? resolve(io.cwd, stateDirRaw) : join(stateHomeOf(io.env), 'tempo-workbook');
  // an embedded lab up under this state folder: its profile, unless one is named (`lab up --profile current`, then
  // every command speaks of Tempo 3 without saying so again)
  const running = runningLab(stateDir);
  const named = pick('profile');
  if (named === undefined && running) trace.push(`profile: the embedded lab's (${running.profile})`);
  const profile = getProfile(named ?? running?.profile);
  const clusterName = validateClusterName(pick('cluster') ?? DEFAULT_CLUSTER);
  const context = pick('context') ?? `kind-${clusterName}`;
  const timeoutRaw = pick('timeout');
  const timeoutMs = timeoutRaw === undefined ? DEFAULT_TIMEOUT_MS : parseDuration(timeoutRaw);
  if (timeoutMs === undefined) throw new UsageError({ en: `${source.timeout} "${timeoutRaw}" is not a duration (e.g. 90s, 5m, 1h)`, 'zh-TW': `${source.timeout} "${timeoutRaw}" 不是時間長度（例如 90s、5m、1h）` });

  const urls: Partial<Record<UrlName, string>> = {};
  for (const name of URL_NAMES) {
    const v = pick(urlFlag(name));
    if (v !== undefined) urls[name] = validateUrl(v, source[urlFlag(name)]!);
  }
  const ci = isCI(io.env);
  // no URL named and an embedded lab up under this state folder: its endpoints stand in for the cluster's
  let embedded: Lab['embedded'];
  let embeddedOtlpGrpc: string | undefined;
  let embeddedGenerator: string | undefined;
  let embeddedBlockBuilders: string[] | undefined;
  if (!Object.keys(urls).length) {
    const up = running;
    if (up) {
      embedded = up.layout;
      embeddedOtlpGrpc = up.urls.otlpGrpc;
      urls.tempo = up.urls.tempo;
      urls.prometheus = up.urls.prometheus;
      urls.otlp = up.urls.otlp;
      if (up.layout === 'microservices') {
        urls.distributor = up.urls.distributor;
        const generator = up.processes.find((p) => p.name === 'tempo-metrics-generator')?.port;
        if (generator) embeddedGenerator = `http://127.0.0.1:${generator}`;
        const builders = up.processes.filter((p) => p.name.startsWith('tempo-block-builder-') && p.port).map((p) => `http://127.0.0.1:${p.port}`);
        if (builders.length) embeddedBlockBuilders = builders;
      }
      trace.push(`endpoints: the embedded lab (${up.layout}) under ${stateDir}`);
    }
  }
  const color = io.stdoutIsTTY && !ci && !io.env.NO_COLOR && io.env.TERM !== 'dumb';
  // a bundle `prefetch --from` recorded for this profile: the charts come from it while its files are there
  const bundle = readBundleRecord(stateDir, profile.name);
  if (bundle) trace.push(`charts: the bundle ${bundle.dir}`);
  // the embedded lab's programs, as named (a relative path is the working folder's), with where the name came from
  const bins: Lab['bins'] = {};
  for (const b of ['tempo', 'prometheus'] as const) {
    const v = pick(`${b}-bin`);
    if (v !== undefined) bins[b] = { path: resolve(io.cwd, v), from: source[`${b}-bin`]! };
  }

  return {
    lang,
    profile,
    clusterName,
    context,
    namespaces: { prometheus: 'prometheus', tracing: 'tracing' },
    urls,
    timeoutMs,
    yes: Boolean(flags.yes) || ci,
    interactive: isInteractive(io),
    ci,
    color,
    ...(embedded ? { embedded } : {}),
    ...(embeddedOtlpGrpc ? { embeddedOtlpGrpc } : {}),
    ...(embeddedGenerator ? { embeddedGenerator } : {}),
    ...(embeddedBlockBuilders ? { embeddedBlockBuilders } : {}),
    bins,
    ...(bundle ? { bundle } : {}),
    stateDir,
    showSecrets: Boolean(flags['show-secrets']),
    ...(flags['show-how'] ? { showHow: true } : {}),
    arch: io.env.WORKBOOK_ARCH || process.arch,
    grafanaAuth: { user: io.env.WORKBOOK_GRAFANA_USER || undefined, password: io.env.WORKBOOK_GRAFANA_PASSWORD || undefined },
    localPorts: parseLocalPorts(io.env.WORKBOOK_PORTS),
  };
}

export { DEFAULT_LOCAL_PORTS };

/** WORKBOOK_PORTS="grafana=13000,prometheus=19090" moves the local end of port-forwards. */
export function parseLocalPorts(value: string | undefined): Record<EndpointName, number> {
  const ports = { ...DEFAULT_LOCAL_PORTS };
  if (!value) return ports;
  for (const part of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z]+)[=:](\d+)$/.exec(part);
    const n = m ? Number(m[2]) : NaN;
    if (!m || !ENDPOINT_NAMES.includes(m[1] as EndpointName) || !(n > 0 && n < 65536)) throw new UsageError(`WORKBOOK_PORTS: "${part}" should look like grafana=3000 (endpoints: ${ENDPOINT_NAMES.join(', ')})`);
    ports[m[1] as EndpointName] = n;
  }
  return ports;
}
