// The real helm for the tests (built by test/setup/ensure-helm.sh into dist/helm from the Go module proxy,
// helm.sh/helm/v3/cmd/helm@v3.21.4) and the charts' pinned archives (../shared/reference/chart-renders/charts/,
// rendered from the charts' own tags). Without either, the tests that need them are skipped, saying so.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT } from './fakes.js';

export const HELM = process.env.WORKBOOK_HELM ?? join(ROOT, 'dist/helm');
export const CHARTS = process.env.WORKBOOK_CHARTS_DIR ?? resolve(ROOT, '../shared/reference/chart-renders/charts');

/** The environment that points the workbook at them, or undefined (and why) when one is missing. */
export function helmEnv(): NodeJS.ProcessEnv | undefined {
  if (!existsSync(HELM) || !existsSync(CHARTS)) return undefined;
  return { ...process.env, WORKBOOK_HELM: HELM, WORKBOOK_CHARTS_DIR: CHARTS };
}
export const whyNoHelm = () => (!existsSync(HELM) ? `no helm at ${HELM} (test/setup/ensure-helm.sh builds it)` : `no chart archives at ${CHARTS}`);
