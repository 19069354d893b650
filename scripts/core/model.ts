import type { Lang, Text } from './text.js';
import type { Clock, Fs, Http, Net, Shell } from './effects.js';

/** A versions profile from manifests/versions.yaml (loaded by scripts/lab/versions.ts). */
// A versions profile, its chart pins and release archives: one zod schema each (core/profile.ts), the types derived.
export type { ChartPin, Profile, Release } from './profile.js';
import type { Profile } from './profile.js';

export type { ItemStatus } from './verdict.js';

/** A command as a pure value: what would run. `plan` prints it, tests assert it, the shell port runs it. */
export interface Command {
  argv: string[];
  /** How a learner would type it, when that differs from what runs (`workbook lab …` runs as `node dist/scripts/cli.js lab …`). */
  shown?: string[];
  /** Text fed to stdin (e.g. a manifest built at run time). */
  input?: string;
  timeoutMs?: number;
}

/** `generator`: the metrics generator's own pages (its remote-write counters), for diagnoses only. */
export type EndpointName = 'prometheus' | 'tempo' | 'grafana' | 'distributor' | 'otlp' | 'generator';
/**
 * Endpoints a learner can name with --<name>-url. Without --distributor-url the distributor's pages are read from
 * --tempo-url (a monolithic Tempo serves both); a microservices Tempo needs both.
 */
export type UrlName = 'prometheus' | 'tempo' | 'distributor' | 'grafana' | 'otlp';

/** The settings one run works with. */
export interface Lab {
  lang: Lang;
  profile: Profile;
  clusterName: string;
  /** kube context every kubectl/helm call names explicitly; never the "current" one. */
  context: string;
  namespaces: { prometheus: string; tracing: string };
  /** Explicit endpoints win over port-forwards. */
  urls: Partial<Record<UrlName, string>>;
  timeoutMs: number;
  yes: boolean;
  interactive: boolean;
  ci: boolean;
  /**
   * The embedded lab (`workbook lab up`) this run uses: its Tempo and Prometheus on 127.0.0.1 stand in for the
   * cluster's, so checks that only a cluster can answer do not apply.
   */
  embedded?: 'monolithic' | 'microservices';
  /** This machine's CPU as Node names it (x64, arm64); WORKBOOK_ARCH stands in for another (a workshop preparing for other laptops, tests). */
  arch?: string;
  /** A bundle loaded by `prefetch --from` for this profile: each chart's .tgz (the install steps use it, no helm repo). */
  bundle?: { dir: string; charts: Record<string, string> };
  /** Print under each check the requests it made, as commands to paste (`--show-how`). */
  showHow?: boolean;
  /** The embedded lab's programs as the learner named them (--tempo-bin, WORKBOOK_TEMPO_BIN, the settings file). */
  bins?: Partial<Record<'tempo' | 'prometheus', { path: string; from: string }>>;
  /** The embedded lab's OTLP gRPC address (a challenge sends the traffic there by mistake). */
  /** the embedded microservices lab's metrics generator (its own /metrics: remote-write counters, start time) */
  /** the embedded Tempo 3 microservices lab's block-builders (their /metrics: consume cycles) */
  embeddedBlockBuilders?: string[];
  embeddedGenerator?: string;
  embeddedOtlpGrpc?: string;
  /** colour and bold in what the workbook renders itself: a terminal, and neither NO_COLOR nor TERM=dumb (https://no-color.org) */
  color?: boolean;
  stateDir: string;
  showSecrets: boolean;
  /** From WORKBOOK_GRAFANA_USER / WORKBOOK_GRAFANA_PASSWORD; otherwise read from the chart's secret. */
  grafanaAuth: { user?: string; password?: string };
  /** Local ports port-forwards want (3000/9090/3100 by default); another free one is picked when taken. */
  localPorts: Record<EndpointName, number>;
}

export interface StepOutcome {
  /** Why it was skipped (idempotence: "cluster tempo-lab exists"). */
  skipped?: string;
}

export interface Step {
  id: string;
  title: Text;
  why: Text;
  /** Pure: the exact command for this lab. */
  command(lab: Lab): Command;
  /** Manifest files the command reads, repo-relative (shown by `plan`). */
  manifests?: string[];
  /** The same, when they depend on the lab (a profile's values overlays); wins over `manifests`. */
  manifestsFor?(lab: Lab): string[];
  /** Pure: whether this lab needs the step at all (a profile's); when not, plan leaves it out and run skips it saying why. */
  onlyIf?: { when(lab: Lab): boolean; otherwise: string };
  /** a step the embedded lab runs (a `workbook lab …` command); every other step is the kind lab's, shown there, not run */
  forEmbedded?: boolean;
  /** Probe before running: a reason to skip it, or undefined to run. */
  skipIf?(ctx: LabContext): Promise<string | undefined>;
  /** Probe before running (after skipIf): a reason to refuse outright, e.g. "not our cluster". */
  refuse?(ctx: LabContext): Promise<string | undefined>;
  /** Needs an explicit yes (interactive confirm, --yes, or CI). */
  destructive?: boolean;
  /** Changes the lab's cluster: refused unless the lab's kube context exists. */
  needsCluster?: boolean;
  /** A step that installs into a namespace: while it runs, progress shows how many of its pods are ready. */
  progressNamespace?(lab: Lab): string;
  /** Runs after the command succeeded (record facts in progress, e.g. "we created this cluster"). */
  after?(ctx: LabContext): Promise<void>;
  /**
   * For `run all --fast`: `prepare` needs only this machine (helm repo add), so it runs right after the doctor;
   * `images` installs pods, so it waits for the images to be loaded into the cluster.
   */
  fast?: 'prepare' | 'images';
  /** How long it typically takes on a laptop on workshop Wi-Fi (the --fast plan's critical path); default 10 s. */
  typicalMs?: number;
}

export type Outcome =
  | { ok: true; evidence: string; /** a few lines shown under the result (a table) */ details?: string }
  | { ok: false; evidence: string; hint: Text; /** no point re-probing (a tool is missing) */ final?: boolean; details?: string };

export interface Check {
  id: string;
  title: Text;
  /** `advisory` failures are shown as warnings and do not fail the chapter. */
  level?: 'required' | 'advisory';
  /** Probe once, no re-probe until the deadline (doctor checks). */
  once?: boolean;
  /** Upper bound for this check, in ms, on top of which --timeout may only shorten or lengthen. */
  deadlineMs?: number;
  /**
   * The check can only ask the cluster (kubectl): when any of these endpoints is named explicitly (--tempo-url …),
   * the learner verifies a stack of their own and the check is skipped with that reason.
   */
  clusterOnly?: UrlName[];
  /** Only a Tempo of several ingesters can pass it (the ring of three): not applicable on the monolithic embedded lab. */
  /** a check of one Tempo generation only (Tempo 2's ingester ring; Tempo 3's live-store and Kafka): not applicable on the other profile */
  tempo?: 2 | 3;
  microservicesOnly?: boolean;
  /** A prerequisite of the kind lab (Docker, kind, helm, ports for port-forwards): not applicable on the embedded lab. */
  kindLabOnly?: boolean;
  /**
   * Checks this one relies on ("chapter/check"). When one of them failed or was skipped earlier in the same run,
   * this check is skipped with that reason instead of probing. `unless`: the dependency does not hold when any of
   * these endpoints is named explicitly (e.g. Prometheus checks need the cluster only through a port-forward).
   */
  needs?: Need[];
  probe(ctx: LabContext): Promise<Outcome>;
}

export interface Need {
  check: string;
  unless?: UrlName[];
}

/** The lab's kube context must exist (chapter 1), unless the endpoints are named explicitly. */
export const NEEDS_CLUSTER = (...unless: UrlName[]): Need => ({ check: 'cluster/context', ...(unless.length ? { unless } : {}) });

/**
 * What a chapter's `index.ts` exports. Its number and id are not in it: they come from its folder's name
 * (`chapters/NN-id/`), so a chapter is added by adding a folder.
 */
export interface ChapterSpec {
  title: Text;
  steps: Step[];
  checks: Check[];
  /**
   * `teardown`: always last, never part of `all`, run by `workbook down`. `cluster`: its checks prove the lab's
   * cluster exists (`--fast` loads images into it after them).
   */
  role?: 'teardown' | 'cluster';
  /**
   * Chapter ids whose checks this chapter's work waits for (its steps, or its checks when it has none):
   * `run all --fast` overlaps chapters that do not wait for each other. Default: the chapter before it.
   */
  after?: string[];
  /** How long its checks typically take (the --fast plan's critical path); default 10 s. */
  checksTypicalMs?: number;
}

export interface Chapter extends ChapterSpec {
  /** from the folder name: 05 */
  number: number;
  /** from the folder name, used on the command line: `run traces` */
  id: string;
  /** the folder under chapters/ (lesson.en.md, lesson.zh-TW.md, index.ts) */
  dir: string;
  /** resolved: the declared `after`, or the chapter before it */
  after: string[];
}

/** What a step, a check or a command works in: the lab, its effects (shell, HTTP, clock, files, TCP) and endpoints. Chapters never import zx or fetch directly. */
export interface LabContext {
  lab: Lab;
  shell: Shell;
  http: Http;
  clock: Clock;
  fs: Fs;
  net: Net;
  /** Base URL for an endpoint: the explicit URL, or a port-forward started on demand (awaited up to readyTimeoutMs). */
  endpoint(name: EndpointName, o?: { readyTimeoutMs?: number }): Promise<string>;
  /** Facts shared across chapters and runs (e.g. createdCluster), persisted in progress. */
  facts: Record<string, unknown>;
  setFact(key: string, value: unknown): Promise<void>;
  /** Before a step changes the cluster: the lab's kube context must exist (asked once a run; WorkbookError if not). */
  requireCluster(): Promise<void>;
  /** Where to get a tool that is missing (the doctor's install hint, with the profile's minimum version). */
  installHint(tool: string): Text;
  /** Forget chapter progress (after teardown); facts other than the given ones stay. */
  resetProgress(dropFacts?: string[]): Promise<void>;
  /**
   * Data written before this time (ms) does not count: a challenge's start. Checks that read a window of time read
   * no earlier than this, and say "not yet" while the part after it is too short to judge.
   */
  since?: number;
}

/**
 * A fault a challenge puts into the learner's lab, done with the real tools: a `helm upgrade` of a chapter's
 * install step with one more values file (a fault overlay under manifests/challenges/), a `kubectl scale`, or a
 * `kubectl set env`. Its reset restores the article's state.
 */
export type Fault =
  | {
      kind: 'values';
      /** the chapter whose `install` step is re-run with the overlay laid over */
      chapter: string;
      overlay: string;
      /** what the overlay changes in the chart's render (`Kind/name:path`, scripts/lab/chart-render.ts renderDiff): nothing else may change */
      renders: string[];
    }
  | { kind: 'scale'; namespace: (lab: Lab) => string; /** kind/name */ target: string; replicas: number; restore: number }
  | { kind: 'env'; namespace: (lab: Lab) => string; target: string; name: string; value: string; restore: string };

/** A break-and-fix exercise (`workbook challenge`). */
export interface Challenge {
  id: string;
  title: Text;
  /** what a user of the lab would see; never the cause */
  symptom: Text;
  /** the same on the embedded lab, where it differs (no Grafana panels, no pods) */
  symptomEmbedded?: Text;
  /** the chapter `workbook watch` shows during it */
  chapter: string;
  /** the checks the fault breaks ("chapter/check"): `challenge check` passes when all of them pass again */
  breaks: string[];
  /**
   * escalating: where to look by hand (commands), what to look for in what they show, the fix. {prometheus},
   * {tempo}, {distributor}, {grafana}, {context} and {labdir} are this lab's (scripts/lab/challenges.ts hintFor).
   */
  hints: [Text, Text, Text];
  /** the same hint on the embedded lab, where it differs (no kubectl, another fix) */
  hintsEmbedded?: Partial<Record<0 | 1 | 2, Text>>;
  /** the cause, said plainly: only with `challenge start --show-fault` and `plan challenges --spoilers` */
  cause: Text;
  /**
   * Words that give the cause away (case-insensitive): `challenge check` keeps every line that holds one out of its
   * output until the learner has asked for hint 2 or fixed it; the tests read the list.
   */
  causeWords: readonly string[];
  fault: Fault;
  /** The same fault on the embedded lab (`workbook lab …`); absent: it cannot exist there, and why. */
  embedded: EmbeddedFault | { none: Text };
}

/** A fault on the embedded lab: a part restarted with an overlay (or the traffic sent elsewhere), or processes stopped. */
export type EmbeddedFault =
  | { kind: 'restart'; part: 'prometheus' | 'tempo'; overlay: string }
  | { kind: 'traffic'; /** the lab's OTLP gRPC port, where the traffic's OTLP over HTTP finds no answer it understands */ to: 'otlp-grpc' }
  | { kind: 'stop'; names: string[]; /** only this layout has them */ layout: 'microservices' };
