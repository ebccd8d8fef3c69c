/** Commune view: the sites of one commune (province → group → commune), states over time, ping and traffic. */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import { agg, influxql, select } from './lib/influxql.js';
import { STATE_MAPPINGS, availabilityExpr, availabilityThresholds, communeSitesVar, communeVar, groupVar, provinceVar, rpVar, stateThresholds } from './lib/common.js';

export const UID = 'pointwatch-commune';

const inCommune = <M extends 'ping' | 'site_state' | 'interface'>(m: M, exprs: Parameters<typeof select<M>>[1]) =>
  select(m, exprs).rp('$rp').whereVar('site', 'sites').timeFilter();

export function build(): dashboard.Dashboard {
  return new dashboard.DashboardBuilder('pointwatch · Commune view')
    .uid(UID)
    .tags(['pointwatch'])
    .editable()
    .time({ from: 'now-24h', to: 'now' })
    .refresh('1m')
    .timezone('browser')
    .withVariable(provinceVar())
    .withVariable(groupVar())
    .withVariable(communeVar())
    .withVariable(communeSitesVar())
    .withVariable(rpVar('raw'))
    .withPanel(new statetimeline.PanelBuilder()
      .title('State per site')
      .withTarget(influxql(inCommune('site_state', [agg('max', 'site_state', 'state_code', 'state')])
        .groupByTime('$__interval').groupBy('site').fill('null')).alias('$tag_site'))
      .mappings(STATE_MAPPINGS)
      .thresholds(stateThresholds())
      .showValue(common.VisibilityMode.Never)
      .height(8).span(24))
    .withPanel(new bargauge.PanelBuilder()
      .title('Availability per site (all hours)')
      .withTarget(influxql(inCommune('site_state', [availabilityExpr()]).groupBy('site')).alias('$tag_site'))
      .unit('percent').min(0).max(100).decimals(1)
      .thresholds(availabilityThresholds())
      .orientation(common.VizOrientation.Horizontal)
      .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
      .height(8).span(8))
    .withPanel(new timeseries.PanelBuilder()
      .title('Packet loss')
      .withTarget(influxql(inCommune('ping', [agg('mean', 'ping', 'loss_pct', 'loss')])
        .groupByTime('$__interval').groupBy('site').fill('null')).alias('$tag_site'))
      .unit('percent').min(0).max(100)
      .height(8).span(8))
    .withPanel(new timeseries.PanelBuilder()
      .title('Round-trip time')
      .withTarget(influxql(inCommune('ping', [agg('mean', 'ping', 'rtt_avg_ms', 'rtt')])
        .groupByTime('$__interval').groupBy('site').fill('null')).alias('$tag_site'))
      .unit('ms')
      .height(8).span(8))
    .withPanel(new timeseries.PanelBuilder()
      .title('WAN traffic in (download)')
      .withTarget(influxql(inCommune('interface', [agg('mean', 'interface', 'in_bps', 'in')])
        .whereTag('wan', '=', 'true').groupByTime('$__interval').groupBy('site').fill('null')).alias('$tag_site'))
      .unit('bps')
      .height(8).span(12))
    .withPanel(new timeseries.PanelBuilder()
      .title('WAN traffic out (upload)')
      .withTarget(influxql(inCommune('interface', [agg('mean', 'interface', 'out_bps', 'out')])
        .whereTag('wan', '=', 'true').groupByTime('$__interval').groupBy('site').fill('null')).alias('$tag_site'))
      .unit('bps')
      .height(8).span(12))
    .build();
}
