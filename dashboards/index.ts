/** Every dashboard, by file name. `pointwatch dashboards build` writes each to dashboards/json/<name>.json. */
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as provinceOverview from './province-overview.js';
import * as communeView from './commune-view.js';
import * as siteDetail from './site-detail.js';
import * as coverage from './coverage.js';

export const DASHBOARDS = {
  'province-overview': provinceOverview,
  'commune-view': communeView,
  'site-detail': siteDetail,
  coverage,
} satisfies Record<string, { UID: string; build(): dashboard.Dashboard }>;

export type DashboardName = keyof typeof DASHBOARDS;

/** The JSON text of each dashboard, exactly as committed (stable: 2-space indent, trailing newline). */
export function renderDashboards(): Map<DashboardName, string> {
  const out = new Map<DashboardName, string>();
  for (const [name, mod] of Object.entries(DASHBOARDS) as Array<[DashboardName, (typeof DASHBOARDS)[DashboardName]]>) {
    out.set(name, `${JSON.stringify(mod.build(), null, 2)}\n`);
  }
  return out;
}
