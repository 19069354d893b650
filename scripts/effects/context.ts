import type { LabContext, EndpointName, Lab } from '../core/model.js';
import { WorkbookError } from '../core/errors.js';
import { ENDPOINTS, urlFlag } from '../core/endpoints.js';
import { ensureContext } from '../lab/kube.js';
import { installHint } from '../lab/tools.js';
import { realClock, realFs, realHttp, realNet, type Clock, type Fs, type Http, type Net, type Shell } from './real.js';
import { forwardTargets, portForwardArgv, PortForwardManager } from './portforward.js';
import type { ProgressStore } from './progress.js';
import { zxShell } from './shell.js';
import { fill, type Text } from '../core/text.js';

export interface Effects {
  shell: Shell;
  http: Http;
  clock: Clock;
  fs: Fs;
  net: Net;
}

export function realEffects(env: NodeJS.ProcessEnv): Effects {
  return { shell: zxShell(env), http: realHttp, clock: realClock, fs: realFs, net: realNet };
}

const UNREACHABLE_EXPLICIT: Text = {
  en: 'Nothing answers at {url} ({why}). Is {name} running there, and is {flag} right?',
  'zh-TW': '{url} 沒有回應（{why}）。{name} 有在那裡執行嗎？{flag} 是否正確？',
};
/** The connection was taken, but no answer came in time: something listens there and is stuck or slow. */
const SILENT_EXPLICIT: Text = {
  en: 'Something at {url} took the connection but did not answer ({why}). Is {name} overloaded or stuck, or is another program listening there? Is {flag} right?',
  'zh-TW': '{url} 接受了連線卻沒有回應（{why}）。{name} 是否過載或卡住，還是那裡其實是別的程式？{flag} 是否正確？',
};
/** An answer that no API the workbook asks would give: the URL names another program. */
const WRONG_ANSWER_EXPLICIT: Text = {
  en: '{url} answered, but not as {name} does ({why}). Is {flag} the address of {name}?',
  'zh-TW': '{url} 有回應，但不像 {name}（{why}）。{flag} 是 {name} 的位址嗎？',
};
const UNREACHABLE_FORWARD: Text = {
  en: 'The port-forward to {resource} (namespace {namespace}) stopped answering ({why}): its pod may be restarting. `kubectl --context {context} -n {namespace} get pods` shows it.',
  'zh-TW': '到 {resource}（命名空間 {namespace}）的 port-forward 沒有回應（{why}）：它的 pod 可能正在重新啟動。`kubectl --context {context} -n {namespace} get pods` 可查看。',
};

/** Connection errors that waiting does not fix when the URL was typed by the learner. */
const PERMANENT = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ERR_INVALID_URL|certificate|bad port/;

/** Build what chapters receive. Endpoints: an explicit URL wins; otherwise a port-forward is started on demand. */
export function createContext(lab: Lab, ports: Effects, store: ProgressStore, forwards: PortForwardManager): LabContext {
  const targets = forwardTargets(lab);
  /** base URL → which endpoint it is, so a failed request can name its cause */
  const bases = new Map<string, { name: EndpointName; explicit: true; flag: string } | { name: EndpointName; explicit: false }>();
  const http: Http = {
    async request(url, init) {
      try {
        return await ports.http.request(url, init);
      } catch (err) {
        const base = [...bases.keys()].find((b) => url.startsWith(b));
        const where = base ? bases.get(base)! : undefined;
        // a long query (a learner's 100 KB PromQL) is not printed whole: the URL is cut after its first 160 characters
        const message = (err as Error).message.replace(/(https?:\/\/\S{160})\S*?(:?)(?=\s|$)/g, '$1…$2');
        if (!where || err instanceof WorkbookError) throw err;
        const why = message.slice(message.lastIndexOf(': ') + 2) || message;
        if (where.explicit) {
          const vars = { url: base!, why, name: where.name, flag: where.flag };
          // an 8 MiB answer is no API's: final, named; a silent server may still answer; a refused port will not
          if (/larger than/.test(message)) throw new WorkbookError(message, { final: true, hint: fill(WRONG_ANSWER_EXPLICIT, vars) });
          if (/no answer within|cut short/.test(message)) throw new WorkbookError(message, { hint: fill(SILENT_EXPLICIT, vars) });
          throw new WorkbookError(message, { final: PERMANENT.test(message), hint: fill(UNREACHABLE_EXPLICIT, vars) });
        }
        const t = targets[where.name];
        throw new WorkbookError(message, { hint: fill(UNREACHABLE_FORWARD, { resource: t.resource, namespace: t.namespace, context: lab.context, why }) });
      }
    },
  };
  const ctx: LabContext = {
    lab,
    ...ports,
    http,
    facts: store.data.facts,
    async setFact(key, value) {
      store.setFact(key, value);
      await store.save();
    },
    async resetProgress(dropFacts = []) {
      for (const f of dropFacts) store.deleteFact(f);
      // keep the chapter running now (teardown itself), forget the rest
      store.forgetChapters((c) => c.status === 'running');
      // a challenge under way ends with the lab it broke; fixed ones keep their time and hints
      for (const [id, c] of Object.entries(store.data.challenges ?? {})) if (c.status === 'broken') store.setChallenge(id, (x) => ({ ...x!, status: 'reset' }));
      await store.save();
    },
    requireCluster: () => ensureContext(ctx),
    installHint: (tool) => installHint(lab, tool),
    async endpoint(name: EndpointName, o: { readyTimeoutMs?: number } = {}) {
      // a monolithic Tempo (--tempo-url alone) serves the distributor's and the generator's pages too
      const monolithic = lab.urls.distributor ? undefined : lab.urls.tempo;
      const explicit = name === 'distributor' ? (lab.urls.distributor ?? lab.urls.tempo) : name === 'generator' ? (monolithic ?? lab.embeddedGenerator) : lab.urls[name];
      if (explicit) {
        // the flag that gave this URL: a monolithic --tempo-url also stands for the distributor and the generator
        const own = ENDPOINTS[name].url;
        const flag = own && lab.urls[own] === explicit ? `--${urlFlag(own)}` : '--tempo-url';
        if (!bases.has(explicit)) bases.set(explicit, { name, explicit: true, flag });
        return explicit;
      }
      if (name === 'generator' && (lab.urls.tempo || lab.urls.distributor)) throw new WorkbookError('the metrics generator\'s own address is not known with explicit Tempo URLs of a microservices Tempo');
      // no port-forward without the lab's context: a missing context ends the check at once (final)
      await ensureContext(ctx);
      const target = targets[name];
      const base = await forwards.ensure(name, (port) => portForwardArgv(lab, target, port), lab.localPorts[name], o.readyTimeoutMs);
      bases.set(base, { name, explicit: false });
      return base;
    },
  };
  return ctx;
}
