/**
 * Pieces every pointwatch dashboard shares: template variables (province → group → commune →
 * site, retention policy), state colours, and the availability expression used by the report.
 */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { RP, STATE_CODE, SITE_STATES } from '../../src/store/schema.js';
import { DATASOURCE, agg, as, math, showTagValues, type Expr } from './influxql.js';

export const STATE_COLOURS: Record<(typeof SITE_STATES)[number], string> = {
  UP: 'green', MAINTENANCE: 'blue', UNKNOWN: 'text', DEGRADED: 'yellow', UNREACHABLE: 'orange', DOWN: 'red',
};

/** state_code → name and colour (STATE_CODE in src/store/schema.ts). */
export const STATE_MAPPINGS: dashboard.ValueMapping[] = [{
  type: dashboard.MappingType.ValueToText,
  options: Object.fromEntries(SITE_STATES.map((s) => [String(STATE_CODE[s]), { text: s, color: STATE_COLOURS[s], index: STATE_CODE[s] }])),
}];

export const stateThresholds = () => new dashboard.ThresholdsConfigBuilder()
  .mode(dashboard.ThresholdsMode.Absolute)
  .steps([...SITE_STATES].sort((a, b) => STATE_CODE[a] - STATE_CODE[b]).map((s, i) => ({ value: i === 0 ? null : STATE_CODE[s], color: STATE_COLOURS[s] })));

export const availabilityThresholds = (target = 95) => new dashboard.ThresholdsConfigBuilder()
  .mode(dashboard.ThresholdsMode.Absolute)
  .steps([{ value: null, color: 'red' }, { value: target - 10, color: 'orange' }, { value: target, color: 'green' }]);

/**
 * Availability % of `site_state` over a group: UP ÷ (UP + DOWN) checks. MAINTENANCE, UNKNOWN and
 * UNREACHABLE (the parent's) are left out, as in the report. Works on raw and on the rollups
 * (the rollups hold the sums under the same field names). Unlike the report, all hours count.
 */
export const availabilityExpr = (alias = 'availability'): Expr => {
  const up = agg('sum', 'site_state', 'up');
  const down = agg('sum', 'site_state', 'down');
  return as(math`${up} / (${up} + ${down}) * 100`, alias);
};

/** Minutes in a state over a group: the checks' seconds split pro rata by state. */
export const stateMinutesExpr = (state: 'down' | 'unknown' | 'maintenance' | 'unreachable', alias = `${state}_min`): Expr => {
  const n = (f: 'up' | 'down' | 'unreachable' | 'unknown' | 'maintenance') => agg('sum', 'site_state', f);
  const checked = agg('sum', 'site_state', 'checked_s');
  return as(math`${n(state)} * ${checked} / (${n('up')} + ${n('down')} + ${n('unreachable')} + ${n('unknown')} + ${n('maintenance')}) / 60`, alias);
};

const queryVar = (name: string, label: string, query: string) => new dashboard.QueryVariableBuilder(name)
  .label(label)
  .query(query)
  .definition(query)
  .datasource(DATASOURCE)
  .refresh(dashboard.VariableRefresh.OnDashboardLoad)
  .sort(dashboard.VariableSort.AlphabeticalCaseInsensitiveAsc);

/**
 * province → group → commune → site, each filtered by the ones before. The group is optional (a
 * province may use none: the variable is then empty and All matches every point); it lists the
 * `district` values of points written before the 2025 reform too.
 */
export const provinceVar = (opts: { all?: boolean } = {}) => {
  const v = queryVar('province', 'Province', showTagValues('site_state', 'province'));
  return opts.all ? v.includeAll(true).allValue('.*') : v;
};
export const groupVar = () => queryVar('group', 'Group (optional)', showTagValues('site_state', 'group', [['province', 'province']]))
  .includeAll(true).allValue('.*').multi(true);
export const communeVar = () => queryVar('commune', 'Commune', showTagValues('site_state', 'commune', [['province', 'province'], ['group', 'group']]))
  .includeAll(true).allValue('.*').multi(true);
export const siteVar = () => queryVar('site', 'Site', showTagValues('site_state', 'site', [['province', 'province'], ['group', 'group'], ['commune', 'commune']]));
/**
 * Hidden: the sites of the chosen communes (All = the list itself, `(a|b|c)`, never `.*`). Panels
 * filter by it instead of by the commune tag, so a commune renamed or merged in 2025 shows its
 * sites' points written under the former name too.
 */
export const communeSitesVar = () => queryVar('sites', 'Sites of the commune', showTagValues('site_state', 'site', [['province', 'province'], ['group', 'group'], ['commune', 'commune']]))
  .includeAll(true).multi(true).hide(dashboard.VariableHide.HideVariable).current({ text: 'All', value: '$__all', selected: true });

/** Which data to read: raw (30 days), 5-minute or 1-hour rollups (same field names). */
export const rpVar = (def: keyof typeof RP = 'raw') => new dashboard.CustomVariableBuilder('rp')
  .label('Data')
  .values(Object.values(RP).join(','))
  .current({ text: def, value: def, selected: true });

export const targetVar = (target = 95) => new dashboard.ConstantVariableBuilder('target').value(String(target));

/** The variable names dashboards use, for tests that fill them in. */
export const VARIABLES = ['province', 'group', 'commune', 'site', 'sites', 'rp', 'target'] as const;
