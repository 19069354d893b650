// `npm run render-charts`: renders every chart install the workbook would run (tests/helpers/chart-installs.ts) with
// the real helm from the charts' pinned archives, and writes what the embedded lab needs of each under
// manifests/rendered/ (scripts/lab/chart-render.ts). helm: WORKBOOK_HELM or dist/helm (test/setup/ensure-helm.sh
// builds it) or PATH; the archives: WORKBOOK_CHARTS_DIR, by default the workplace's pinned charts beside the repo.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { plannedInstalls } from '../helpers/chart-installs.js';
import { renderWithHelm } from '../../scripts/effects/helm-render.js';
import { renderedFile, renderText } from '../../scripts/lab/chart-render.js';
import { ROOT } from '../helpers/fakes.js';
import { helmEnv } from '../helpers/helm.js';

const env = helmEnv();
if (!env) {
  console.error('render-charts: needs helm (WORKBOOK_HELM, dist/helm or PATH) and the charts (WORKBOOK_CHARTS_DIR)');
  process.exit(1);
}
for (const i of plannedInstalls()) {
  const { render } = await renderWithHelm(i, env);
  const f = renderedFile(i);
  mkdirSync(dirname(f), { recursive: true });
  writeFileSync(f, renderText(render));
  console.log(`${relative(ROOT, f)}  (${i.from})`);
}

