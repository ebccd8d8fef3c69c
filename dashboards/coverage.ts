/**
 * Coverage: the report's figures over the dashboard's time range (default: last 30 days, 1-hour
 * rollups). Availability = UP ÷ (UP + DOWN) checks, MAINTENANCE/UNKNOWN/UNREACHABLE left out, as in
 * `pointwatch report coverage`; the report also restricts to service hours, which InfluxQL cannot.
 */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import * as table from '@grafana/grafana-foundation-sdk/table';
import { agg, col, influxql, select, selectFrom } from './lib/influxql.js';
import { availabilityExpr, availabilityThresholds, groupVar, provinceVar, rpVar, stateMinutesExpr, targetVar } from './lib/common.js';

export const UID = 'pointwatch-coverage';

const scoped = () => select('site_state', [availabilityExpr('avail')]).rp('$rp').whereVar('province').whereVar('group').timeFilter();

export function build(): dashboard.Dashboard {
  const perSite = () => scoped().groupBy('site', 'commune');
  const perCommuneBest = () => selectFrom(perSite(), [col('avail', 'max', 'best')]).groupBy('commune');
  return new dashboard.DashboardBuilder('pointwatch · Coverage')
    .uid(UID)
    .tags(['pointwatch', 'coverage'])
    .editable()
    .time({ from: 'now-30d', to: 'now' })
    .timezone('browser')
    .withVariable(provinceVar())
    .withVariable(groupVar())
    .withVariable(rpVar('rollup_1h'))
    .withVariable(targetVar())
    .withPanel(new stat.PanelBuilder()
      .title('Availability (all sites)')
      .withTarget(influxql(scoped()).format('table'))
      .unit('percent').decimals(2)
      .thresholds(availabilityThresholds())
      .graphMode(common.BigValueGraphMode.None)
      .height(4).span(6))
    .withPanel(new stat.PanelBuilder()
      .title('Sites meeting the target')
      .withTarget(influxql(selectFrom(perSite(), [col('avail', 'count', 'sites')]).whereCol('avail', '>=', '$target')).format('table'))
      .graphMode(common.BigValueGraphMode.None)
      .noValue('0')
      .height(4).span(6))
    .withPanel(new stat.PanelBuilder()
      .title('Sites with data')
      .withTarget(influxql(selectFrom(perSite(), [col('avail', 'count', 'sites')])).format('table'))
      .graphMode(common.BigValueGraphMode.None)
      .noValue('0')
      .height(4).span(6))
    .withPanel(new stat.PanelBuilder()
      .title('Communes covered (≥ 1 point meeting the target)')
      .withTarget(influxql(selectFrom(perCommuneBest(), [col('best', 'count', 'communes')]).whereCol('best', '>=', '$target')).format('table'))
      .graphMode(common.BigValueGraphMode.None)
      .noValue('0')
      .height(4).span(6))
    .withPanel(new bargauge.PanelBuilder()
      .title('Availability by commune')
      .withTarget(influxql(scoped().groupBy('commune')).alias('$tag_commune'))
      .unit('percent').min(0).max(100).decimals(1)
      .thresholds(availabilityThresholds())
      .orientation(common.VizOrientation.Horizontal)
      .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
      .height(12).span(12))
    .withPanel(new bargauge.PanelBuilder()
      .title('Availability by group (optional; a former district on older points)')
      .withTarget(influxql(scoped().groupBy('group', 'district')).alias('$tag_group$tag_district'))
      .unit('percent').min(0).max(100).decimals(1)
      .thresholds(availabilityThresholds())
      .orientation(common.VizOrientation.Horizontal)
      .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
      .height(12).span(12))
    .withPanel(new table.PanelBuilder()
      .title('Per site (worst first)')
      .withTarget(influxql(select('site_state', [
        availabilityExpr('availability %'), stateMinutesExpr('down', 'downtime min'), stateMinutesExpr('unreachable', 'unreachable min (parent)'),
        stateMinutesExpr('unknown', 'unknown min'), stateMinutesExpr('maintenance', 'maintenance min'),
      ]).rp('$rp').whereVar('province').whereVar('group').timeFilter().groupBy('site', 'commune')).format('table'))
      .withTransformation({ id: 'sortBy', options: { sort: [{ field: 'availability %', desc: false }] } })
      .height(14).span(24))
    .withPanel(new table.PanelBuilder()
      .title('WAN traffic per site (mean bps over the range)')
      .withTarget(influxql(select('interface', [agg('mean', 'interface', 'in_bps', 'in_bps'), agg('mean', 'interface', 'out_bps', 'out_bps')])
        .rp('$rp').whereVar('province').whereVar('group').whereTag('wan', '=', 'true').timeFilter().groupBy('site', 'commune')).format('table'))
      .unit('bps')
      .height(10).span(24))
    .build();
}
