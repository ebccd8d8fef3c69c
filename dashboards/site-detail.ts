/** Site detail: latency, loss, jitter, bandwidth per interface, uptime and reboots, state timeline. */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import { RP } from '../src/store/schema.js';
import { agg, field, influxql, select } from './lib/influxql.js';
import { STATE_MAPPINGS, communeVar, groupVar, provinceVar, rpVar, siteVar, stateThresholds } from './lib/common.js';

export const UID = 'pointwatch-site';

const ofSite = <M extends 'ping' | 'site_state' | 'interface' | 'snmp'>(m: M, exprs: Parameters<typeof select<M>>[1]) =>
  select(m, exprs).rp('$rp').whereVar('site').timeFilter();

export function build(): dashboard.Dashboard {
  return new dashboard.DashboardBuilder('pointwatch · Site detail')
    .uid(UID)
    .tags(['pointwatch'])
    .editable()
    .time({ from: 'now-24h', to: 'now' })
    .refresh('1m')
    .timezone('browser')
    .withVariable(provinceVar())
    .withVariable(groupVar())
    .withVariable(communeVar())
    .withVariable(siteVar())
    .withVariable(rpVar('raw'))
    .withPanel(new statetimeline.PanelBuilder()
      .title('State')
      .withTarget(influxql(ofSite('site_state', [agg('max', 'site_state', 'state_code', 'state')])
        .groupByTime('$__interval').fill('null')).alias('state'))
      .mappings(STATE_MAPPINGS)
      .thresholds(stateThresholds())
      .showValue(common.VisibilityMode.Never)
      .height(5).span(24))
    .withPanel(new timeseries.PanelBuilder()
      .title('Latency (min / avg / max)')
      .withTarget(influxql(ofSite('ping', [
        agg('min', 'ping', 'rtt_min_ms', 'min'), agg('mean', 'ping', 'rtt_avg_ms', 'avg'), agg('max', 'ping', 'rtt_max_ms', 'max'),
      ]).groupByTime('$__interval').fill('null')).alias('$col'))
      .unit('ms')
      .height(8).span(12))
    .withPanel(new timeseries.PanelBuilder()
      .title('Packet loss')
      .withTarget(influxql(ofSite('ping', [agg('mean', 'ping', 'loss_pct', 'loss')]).groupByTime('$__interval').fill('null')).alias('loss'))
      .unit('percent').min(0).max(100)
      .height(8).span(6))
    .withPanel(new timeseries.PanelBuilder()
      .title('Jitter')
      .withTarget(influxql(ofSite('ping', [agg('mean', 'ping', 'jitter_ms', 'jitter')]).groupByTime('$__interval').fill('null')).alias('jitter'))
      .unit('ms')
      .height(8).span(6))
    .withPanel(new timeseries.PanelBuilder()
      .title('Bandwidth per interface (in)')
      .withTarget(influxql(ofSite('interface', [agg('mean', 'interface', 'in_bps', 'in')])
        .groupByTime('$__interval').groupBy('ifname').fill('null')).alias('$tag_ifname in'))
      .unit('bps')
      .height(8).span(12))
    .withPanel(new timeseries.PanelBuilder()
      .title('Bandwidth per interface (out)')
      .withTarget(influxql(ofSite('interface', [agg('mean', 'interface', 'out_bps', 'out')])
        .groupByTime('$__interval').groupBy('ifname').fill('null')).alias('$tag_ifname out'))
      .unit('bps')
      .height(8).span(12))
    .withPanel(new timeseries.PanelBuilder()
      .title('Uptime')
      .withTarget(influxql(ofSite('snmp', [agg('max', 'snmp', 'uptime_s', 'uptime')]).groupByTime('$__interval').fill('null')).alias('uptime'))
      .unit('s')
      .height(8).span(8))
    .withPanel(new stat.PanelBuilder()
      .title('Reboots')
      .withTarget(influxql(ofSite('snmp', [agg('sum', 'snmp', 'rebooted', 'reboots')])).format('table'))
      .graphMode(common.BigValueGraphMode.None)
      .noValue('0')
      .height(8).span(4))
    .withPanel(new timeseries.PanelBuilder()
      .title('Wireless clients')
      .withTarget(influxql(ofSite('snmp', [agg('mean', 'snmp', 'wireless_clients', 'clients')]).groupByTime('$__interval').fill('null')).alias('clients'))
      .height(8).span(12))
    .withPanel(new table.PanelBuilder()
      .title('Events')
      .withTarget(influxql(select('event', [
        field('event', 'text', 'text'), field('event', 'from_state', 'from'), field('event', 'to_state', 'to'),
        field('event', 'cause', 'cause'), field('event', 'incident_id', 'incident'), field('event', 'value', 'value'),
      ]).rp(RP.raw).whereVar('site').timeFilter().groupBy('type').orderDesc().limit(100)).format('table'))
      .height(8).span(24))
    .build();
}
