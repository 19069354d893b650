import { DAEMON_DOWN } from '../../scripts/lab/tools.js';
import type { ChapterSpec, LabContext, Check, Outcome } from '../../scripts/core/model.js';
import { compareVersions, imageAtLeast } from '../../scripts/lab/versions.js';
import { lastLines } from '../../scripts/core/format.js';
import { fill, type Text } from '../../scripts/core/text.js';
import { INSTALL, runJson } from '../../scripts/lab/tools.js';

const GIB = 1024 ** 3;
export const MIN_DOCKER_MEMORY = 6 * GIB;
/** kind's "known issues" page: below these, nodes fail with "too many open files". */
export const MIN_INOTIFY = { max_user_watches: 524288, max_user_instances: 512 } as const;


const TOO_OLD: Text = { en: '{tool} {found} is older than {min}; upgrade it. {install}', 'zh-TW': '{tool} {found} 比 {min} 舊，請升級。{install}' };

async function missing(ctx: LabContext, tool: string, min: string): Promise<Outcome | undefined> {
  if (await ctx.shell.which(tool)) return undefined;
  return { ok: false, final: true, evidence: `${tool} not found on PATH`, hint: fill(INSTALL[tool]!, { min }) };
}

function versionOutcome(tool: string, found: string | undefined, min: string, raw: string): Outcome {
  if (!found) {
    return { ok: false, final: true, evidence: `cannot read ${tool}'s version from: ${lastLines(raw, 1) || '(no output)'}`, hint: fill(INSTALL[tool]!, { min }) };
  }
  if (compareVersions(found, min) < 0) {
    const install = fill(INSTALL[tool]!, { min });
    return { ok: false, final: true, evidence: `${tool} ${found} < ${min}`, hint: { en: fill(TOO_OLD, { tool, found, min, install: install.en }).en, 'zh-TW': fill(TOO_OLD, { tool, found, min, install: install['zh-TW'] })['zh-TW'] } };
  }
  return { ok: true, evidence: `${tool} ${found} (≥ ${min})` };
}

interface DockerInfo {
  ServerVersion?: string;
  MemTotal?: number;
  NCPU?: number;
  OperatingSystem?: string;
  ServerErrors?: string[];
}


/** docker info as JSON, or the failed outcome every daemon check shares. */
async function dockerInfoOr(ctx: LabContext): Promise<{ info?: DockerInfo; fail?: Outcome }> {
  if (!(await ctx.shell.which('docker'))) return { fail: { ok: false, final: true, evidence: 'docker not found on PATH', hint: INSTALL.docker! } };
  const { info, error } = await dockerInfo(ctx);
  return info ? { info } : { fail: { ok: false, final: true, evidence: `docker info failed: ${error}`, hint: DAEMON_DOWN } };
}

async function dockerInfo(ctx: LabContext): Promise<{ info?: DockerInfo; error?: string }> {
  const { res, json } = await runJson<DockerInfo>(ctx, ['docker', 'info', '--format', '{{json .}}']);
  if (res.exitCode !== 0 || !json) return { error: lastLines(res.stderr || res.stdout) || `exit ${res.exitCode}` };
  if (json.ServerErrors?.length) return { error: json.ServerErrors.join('; ') };
  return { info: json };
}

/** A tool on PATH, new enough: how to ask it its version and read the answer. */
interface ToolSpec {
  tool: 'docker' | 'kind' | 'kubectl' | 'helm';
  id: string;
  title: Text;
  min: (ctx: LabContext) => string;
  argv: string[];
  version: (stdout: string) => string | undefined;
}

const TOOLS: ToolSpec[] = [
  { tool: 'docker', id: 'docker-cli', title: { en: 'docker CLI installed', 'zh-TW': '已安裝 docker CLI' }, min: (c) => c.lab.profile.tools.docker, argv: ['docker', 'version', '--format', '{{.Client.Version}}'], version: (o) => /\d+\.\d+\.\d+/.exec(o)?.[0] },
  // "kind v0.20.0 go1.20.4 linux/amd64"
  { tool: 'kind', id: 'kind', title: { en: 'kind installed', 'zh-TW': '已安裝 kind' }, min: (c) => c.lab.profile.kind.minVersion, argv: ['kind', 'version'], version: (o) => /\bv?(\d+\.\d+\.\d+)/.exec(o)?.[1] },
  {
    tool: 'kubectl',
    id: 'kubectl',
    title: { en: 'kubectl installed', 'zh-TW': '已安裝 kubectl' },
    min: (c) => c.lab.profile.tools.kubectl,
    argv: ['kubectl', 'version', '--client', '--output=json'],
    version: (o) => {
      try {
        return (JSON.parse(o) as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion?.replace(/^v/, '');
      } catch {
        return undefined;
      }
    },
  },
  { tool: 'helm', id: 'helm', title: { en: 'helm installed', 'zh-TW': '已安裝 helm' }, min: (c) => c.lab.profile.tools.helm, argv: ['helm', 'version', '--template', '{{.Version}}'], version: (o) => /v?(\d+\.\d+\.\d+)/.exec(o)?.[1] },
];

function toolCheck(spec: ToolSpec): Check {
  return {
    id: spec.id,
    title: spec.title,
    once: true,
    async probe(ctx) {
      const min = spec.min(ctx);
      const gone = await missing(ctx, spec.tool, min);
      if (gone) return gone;
      const res = await ctx.shell.run({ argv: spec.argv, timeoutMs: 20_000 });
      // read stdout whatever the exit code: `docker version` prints the client's version and then fails when the
      // daemon is down, which is the daemon check's business, not this one's
      return versionOutcome(spec.tool, spec.version(res.stdout), min, res.stdout + res.stderr);
    },
  };
}

// every one of them is what the kind lab needs; the embedded lab (`workbook lab up`) needs none
export const checks: Check[] = (<Check[]>[
  toolCheck(TOOLS[0]!),
  {
    id: 'docker-daemon',
    title: { en: 'Docker daemon running', 'zh-TW': 'Docker daemon 正在執行' },
    once: true,
    async probe(ctx) {
      const { info, fail } = await dockerInfoOr(ctx);
      if (!info) return fail!;
      return { ok: true, evidence: `daemon ${info.ServerVersion ?? '?'} on ${info.OperatingSystem ?? '?'}, ${info.NCPU ?? '?'} CPUs` };
    },
  },
  {
    id: 'docker-memory',
    title: { en: 'Docker has at least 6 GiB of memory', 'zh-TW': 'Docker 可用記憶體至少 6 GiB' },
    once: true,
    async probe(ctx) {
      const { info, fail } = await dockerInfoOr(ctx);
      if (!info) return fail!;
      const mem = info.MemTotal ?? 0;
      const gib = (mem / GIB).toFixed(1);
      if (mem >= MIN_DOCKER_MEMORY) return { ok: true, evidence: `${gib} GiB available to containers` };
      return {
        ok: false,
        final: true,
        evidence: `${gib} GiB available to containers, need 6 GiB`,
        hint: {
          en: 'Give Docker more memory: Docker Desktop → Settings → Resources → Memory ≥ 6 GB (on Linux, Docker uses the host memory: close other programs or use a larger machine). Prometheus, Grafana and ten Tempo pods share it.',
          'zh-TW': '請增加 Docker 可用的記憶體：Docker Desktop → Settings → Resources → Memory 至少 6 GB（Linux 上 Docker 直接使用主機記憶體：請關閉其他程式或換台較大的機器）。Prometheus、Grafana 與十個 Tempo pod 都要共用這些記憶體。',
        },
      };
    },
  },
  ...TOOLS.slice(1).map(toolCheck),
  {
    id: 'inotify',
    title: { en: 'inotify limits high enough for kind', 'zh-TW': 'inotify 上限足夠 kind 使用' },
    once: true,
    async probe(ctx) {
      if (process.platform !== 'linux') {
        return { ok: true, evidence: `${process.platform}: Docker Desktop's VM manages inotify limits` };
      }
      const keys = Object.keys(MIN_INOTIFY) as (keyof typeof MIN_INOTIFY)[];
      const values: Partial<Record<keyof typeof MIN_INOTIFY, number>> = {};
      const res = await ctx.shell.run({ argv: ['sysctl', '-n', ...keys.map((k) => `fs.inotify.${k}`)], timeoutMs: 10_000 });
      const nums = res.exitCode === 0 ? res.stdout.trim().split(/\s+/).map(Number) : [];
      for (const [i, k] of keys.entries()) {
        values[k] = Number.isFinite(nums[i]) ? nums[i] : Number((await ctx.fs.readText(`/proc/sys/fs/inotify/${k}`))?.trim());
      }
      const low = keys.filter((k) => !(Number(values[k]) >= MIN_INOTIFY[k]));
      const evidence = keys.map((k) => `${k}=${Number.isFinite(values[k]) ? values[k] : '?'}`).join(', ');
      if (!low.length) return { ok: true, evidence };
      const cmds = low.map((k) => `sudo sysctl fs.inotify.${k}=${MIN_INOTIFY[k]}`).join(' && ');
      return {
        ok: false,
        final: true,
        evidence: `${evidence} (need ${low.map((k) => `${k} ≥ ${MIN_INOTIFY[k]}`).join(', ')})`,
        hint: {
          en: `Raise them now with \`${cmds}\`; to keep them after a reboot, put the same keys in /etc/sysctl.d/99-kind.conf. Too low, and pods fail with "too many open files".`,
          'zh-TW': `請用 \`${cmds}\` 立即調高；要在重開機後保留，請把同樣的設定寫入 /etc/sysctl.d/99-kind.conf。上限太低時 pod 會出現 "too many open files" 錯誤。`,
        },
      };
    },
  },
  ...(['grafana', 'prometheus', 'tempo'] as const).map(
    (name): Check => ({
      id: `port-${name}`,
      title: { en: `local port for ${name} is free`, 'zh-TW': `${name} 使用的本機連接埠未被占用` },
      level: 'advisory',
      once: true,
      async probe(ctx) {
        const port = ctx.lab.localPorts[name];
        if (await ctx.net.isPortFree(port)) return { ok: true, evidence: `127.0.0.1:${port} is free` };
        return {
          ok: false,
          final: true,
          evidence: `127.0.0.1:${port} is in use`,
          hint: {
            en: `Something already listens on ${port} (see \`lsof -i :${port}\`). Stop it, or carry on: the workbook will forward ${name} to another free port and say which.`,
            'zh-TW': `已有程式在 ${port} 監聽（可用 \`lsof -i :${port}\` 查看）。請停止它，或直接繼續：工作手冊會把 ${name} 轉到另一個空閒連接埠並告訴你。`,
          },
        };
      },
    }),
  ),
  {
    id: 'arch',
    title: { en: 'the trace generator\'s image runs on this CPU', 'zh-TW': '追蹤產生器的映像檔能在這顆 CPU 上執行' },
    level: 'advisory',
    once: true,
    async probe(ctx) {
      const arch = ctx.lab.arch ?? process.arch;
      const image = ctx.lab.profile.images['xk6-client-tracing'] ?? '';
      // ghcr.io/grafana/xk6-client-tracing:v0.0.2 is built for one platform: its release workflow runs
      // docker/build-push-action with no `platforms` on ubuntu-latest (grafana/xk6-client-tracing@v0.0.2
      // .github/workflows/release.yml), so linux/amd64 only. v0.0.10 is built for linux/amd64 and linux/arm64
      // (grafana/xk6-client-tracing@v0.0.10 .github/workflows/release.yml:49 `platforms`).
      const platforms = imageAtLeast(image, '0.0.10') ? ['x64', 'arm64'] : ['x64'];
      const linux = (a: string) => `linux/${a === 'x64' ? 'amd64' : a}`;
      if (platforms.includes(arch)) return { ok: true, evidence: `${arch}: ${image} is published for ${platforms.map(linux).join(' and ')}` };
      return {
        ok: false,
        final: true,
        evidence: `${arch}: ${image} is published for ${platforms.map(linux).join(' and ')} only`,
        hint: {
          en: 'Chapter 4\'s pod may not start on this CPU (exec format error). Everything else runs; for the traces, `workbook traffic` sends the same three templates from your machine, through its own port-forward to the distributor.',
          'zh-TW': '第 4 章的 pod 在這顆 CPU 上可能無法啟動（exec format error）。其他部分都能執行；追蹤的部分，`workbook traffic` 可以從你的機器送出同樣的三種模板，透過它自己對 distributor 的 port-forward。',
        },
      };
    },
  },
]).map((c) => ({ ...c, kindLabOnly: true }));

export const chapter: ChapterSpec = {
  checksTypicalMs: 2_000,
  title: { en: 'Prerequisites (doctor)', 'zh-TW': '事前準備（健康檢查）' },
  steps: [],
  checks,
};
