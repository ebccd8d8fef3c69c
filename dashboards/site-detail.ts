/** Site detail: latency, loss, jitter, bandwidth per interface, uptime and reboots, state timeline; 4G signal and data package. */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import { RP } from '../src/store/schema.js';
import { settingsWithDefaults } from '../src/config/defaults.js';
import { agg, field, influxql, select } from './lib/influxql.js';
import { STATE_MAPPINGS, communeVar, groupVar, provinceVar, rpVar, siteVar, stateThresholds } from './lib/common.js';

export const UID = 'pointwatch-site';

const ofSite = <M extends 'ping' | 'site_state' | 'interface' | 'snmp'>(m: M, exprs: Parameters<typeof select<M>>[1]) =>
  select(m, exprs).rp('$rp').whereVar('site').timeFilter();

/** push and lte have no rollups (raw retention only): their panels read raw whatever $rp says. */
const rawOfSite = <M extends 'lte' | 'push'>(m: M, exprs: Parameters<typeof select<M>>[1]) =>
  select(m, exprs).rp(RP.raw).whereVar('site').timeFilter();

/** The weak-signal limits a default configuration alerts on (thresholds.lte). */
const LTE_LIMITS = settingsWithDefaults({}).thresholds.lte;

const limitLine = (limit: number) => ({
  thresholds: new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps([{ value: null, color: 'red' }, { value: limit, color: 'green' }]),
  style: new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed),
});

/** One LTE figure over time, with the weak-signal limit dashed. */
function lteFigure(title: string, f: 'rsrp_dbm' | 'rsrq_db' | 'sinr_db', alias: string, unit: string, limit: number) {
  const l = limitLine(limit);
  return new timeseries.PanelBuilder()
    .title(title)
    .description(`From push reports and MikroTik SNMP (raw data only: the lte measurement has no rollups). Dashed: the weak-signal limit ${limit} ${unit} (thresholds.lte as configured by default).`)
    .withTarget(influxql(rawOfSite('lte', [agg('mean', 'lte', f, alias)]).groupByTime('$__interval').fill('null')).alias(alias))
    .unit(unit)
    .thresholds(l.thresholds)
    .thresholdsStyle(l.style)
    .spanNulls(false)
    .height(7).span(8);
}

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
    .withRow(new dashboard.RowBuilder('4G signal and data package (push reports, MikroTik)'))
    .withPanel(lteFigure('LTE signal strength (RSRP)', 'rsrp_dbm', 'RSRP', 'dBm', LTE_LIMITS.rsrp_dbm))
    .withPanel(lteFigure('LTE signal quality (RSRQ)', 'rsrq_db', 'RSRQ', 'dB', LTE_LIMITS.rsrq_db))
    .withPanel(lteFigure('LTE signal to noise (SINR)', 'sinr_db', 'SINR', 'dB', LTE_LIMITS.sinr_db))
    .withPanel(new timeseries.PanelBuilder()
      .title('Mobile data used')
      .description('Bytes the router reported using, summed per interval (push reports).')
      .withTarget(influxql(rawOfSite('push', [agg('sum', 'push', 'data_used_bytes', 'used')]).groupByTime('$__interval').fill('null')).alias('data used'))
      .unit('decbytes')
      .drawStyle(common.GraphDrawStyle.Bars)
      .fillOpacity(60)
      .height(7).span(12))
    .withPanel(new stat.PanelBuilder()
      .title('Data used (period)')
      .withTarget(influxql(rawOfSite('push', [agg('sum', 'push', 'data_used_bytes', 'used')])).format('table'))
      .unit('decbytes')
      .graphMode(common.BigValueGraphMode.None)
      .noValue('not reported')
      .height(7).span(4))
    .withPanel(new stat.PanelBuilder()
      .title('Data package')
      .description('The router\'s last word on its SIM\'s data package in the period.')
      .withTarget(influxql(rawOfSite('push', [agg('last', 'push', 'quota_exhausted', 'quota')])).format('table'))
      .mappings([{ type: dashboard.MappingType.ValueToText, options: { 0: { text: 'data left', color: 'green', index: 0 }, 1: { text: 'used up', color: 'red', index: 1 } } }])
      .colorMode(common.BigValueColorMode.Background)
      .graphMode(common.BigValueGraphMode.None)
      .noValue('not reported')
      .height(7).span(4))
    .withPanel(new table.PanelBuilder()
      .title('Network and cell (last report)')
      .withTarget(influxql(rawOfSite('lte', [
        agg('last', 'lte', 'operator', 'operator'), agg('last', 'lte', 'band', 'band'), agg('last', 'lte', 'cell_id', 'cell'), agg('last', 'lte', 'enb_id', 'eNB'),
      ])).format('table'))
      .height(7).span(4))
    .build();
}
