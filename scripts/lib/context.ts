import type { ChapterContext, EndpointName, Lab } from './model.js';
import { WorkbookError } from './errors.js';
import { realClock, realFs, realHttp, realNet, type Clock, type Fs, type Http, type Net, type Shell } from './ports.js';
import { forwardTargets, portForwardArgv, PortForwardManager } from './portforward.js';
import type { ProgressStore } from './progress.js';
import { zxShell } from './shell.js';

export interface Ports {
  shell: Shell;
  http: Http;
  clock: Clock;
  fs: Fs;
  net: Net;
}

export function realPorts(env: NodeJS.ProcessEnv): Ports {
  return { shell: zxShell(env), http: realHttp, clock: realClock, fs: realFs, net: realNet };
}

/** Build what chapters receive. Endpoints: an explicit URL wins; otherwise a port-forward is started on demand. */
export function createContext(lab: Lab, ports: Ports, store: ProgressStore, forwards: PortForwardManager): ChapterContext {
  const targets = forwardTargets(lab);
  return {
    lab,
    ...ports,
    facts: store.data.facts,
    async setFact(key, value) {
      store.data.facts[key] = value;
      await store.save();
    },
    async resetProgress(dropFacts = []) {
      for (const f of dropFacts) delete store.data.facts[f];
      // keep the chapter running now (teardown itself), forget the rest
      store.data.chapters = Object.fromEntries(Object.entries(store.data.chapters).filter(([, c]) => c.status === 'running'));
      await store.save();
    },
    async endpoint(name: EndpointName) {
      // a monolithic Tempo (--tempo-url alone) serves the distributor's and the generator's pages too
      const monolithic = lab.urls.distributor ? undefined : lab.urls.tempo;
      const explicit = name === 'distributor' ? (lab.urls.distributor ?? lab.urls.tempo) : name === 'generator' ? monolithic : lab.urls[name];
      if (!explicit && name === 'generator' && (lab.urls.tempo || lab.urls.distributor)) throw new WorkbookError('the metrics generator\'s own address is not known with explicit Tempo URLs of a microservices Tempo');
      if (explicit) return explicit;
      const target = targets[name];
      return forwards.ensure(name, (port) => portForwardArgv(lab, target, port), lab.localPorts[name]);
    },
  };
}
