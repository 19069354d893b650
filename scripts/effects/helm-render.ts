// Rendering a chart with the real helm (`helm template`), for the values sets that have no committed render (a
// learner's own `lab restart tempo --values FILE`) and for `npm run render-charts`: helm from WORKBOOK_HELM or PATH,
// the chart's pinned archive from WORKBOOK_CHARTS_DIR (<chart>-<version>*.tgz) or a loaded bundle.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { extractRender, templateArgv, type ChartInstall, type Render } from '../lab/chart-render.js';
import { onPath } from './process.js';
import { ROOT } from '../core/paths.js';

/** helm and the folder of chart archives, where they are. */
export function renderTools(env: NodeJS.ProcessEnv, bundleCharts?: Record<string, string>): { helm?: string; archive: (chart: string, version: string) => string | undefined } {
  const helm = env.WORKBOOK_HELM && existsSync(env.WORKBOOK_HELM) ? env.WORKBOOK_HELM : onPath('helm', env);
  const dir = env.WORKBOOK_CHARTS_DIR;
  return {
    ...(helm ? { helm } : {}),
    archive: (chart, version) => {
      if (dir && existsSync(dir)) {
        const f = readdirSync(dir).find((x) => x.startsWith(`${chart}-${version}`) && x.endsWith('.tgz'));
        if (f) return join(dir, f);
      }
      return bundleCharts?.[chart];
    },
  };
}

/** `helm template` of an install, its documents read into what the lab needs. */
export async function renderWithHelm(i: ChartInstall, env: NodeJS.ProcessEnv, bundleCharts?: Record<string, string>): Promise<{ render: Render; text: string }> {
  const tools = renderTools(env, bundleCharts);
  const archive = tools.archive(i.chart, i.version);
  if (!tools.helm || !archive) {
    throw new UsageError(`rendering ${i.chart} ${i.version} with ${i.values.join(', ')} needs helm and the chart's archive (${!tools.helm ? 'no helm on PATH or WORKBOOK_HELM' : `no ${i.chart}-${i.version}*.tgz in WORKBOOK_CHARTS_DIR or a loaded bundle`}); the challenges' own files are rendered already`);
  }
  const text = await new Promise<string>((resolve, reject) =>
    execFile(tools.helm!, templateArgv(i, archive), { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (err, stdout, stderr) => (err ? reject(new UsageError(`helm template ${i.chart}: ${(stderr || err.message).trim().split('\n').at(-1)}`)) : resolve(stdout))),
  );
  return { render: extractRender(i.chart, text), text };
}
