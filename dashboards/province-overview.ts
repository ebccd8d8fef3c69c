/** Province overview: current states, a map of sites coloured by state, availability by commune, incidents and events. */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as geomap from '@grafana/grafana-foundation-sdk/geomap';
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { RP } from '../src/store/schema.js';
import { agg, col, field, influxql, select, selectFrom } from './lib/influxql.js';
import { STATE_MAPPINGS, availabilityExpr, availabilityThresholds, provinceVar, rpVar, stateThresholds, targetVar } from './lib/common.js';

export const UID = 'pointwatch-province';
/** Where `pointwatch dashboards gazetteer` puts the sites' coordinates inside the Grafana container. */
export const GAZETTEER = 'public/gazetteer/pointwatch-sites.json';

/** The latest state of every site in the province (raw data: "now" is never in a rollup). */
const latestPerSite = () => select('site_state', [
  agg('last', 'site_state', 'up', 'up'), agg('last', 'site_state', 'down', 'down'),
  agg('last', 'site_state', 'unreachable', 'unreachable'), agg('last', 'site_state', 'unknown', 'unknown'),
  agg('last', 'site_state', 'maintenance', 'maintenance'),
]).rp(RP.raw).whereVar('province').timeFilter().groupBy('site');

const stateCount = (title: string, alias: 'up' | 'down' | 'unreachable' | 'unknown' | 'maintenance', colour: string) => new stat.PanelBuilder()
  .title(title)
  .withTarget(influxql(selectFrom(latestPerSite(), [col(alias, 'sum', alias)])).format('table'))
  .colorMode(common.BigValueColorMode.Background)
  .graphMode(common.BigValueGraphMode.None)
  .thresholds(new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps([{ value: null, color: colour }]))
  .noValue('0')
  .height(4).span(4);

export function build(): dashboard.Dashboard {
  return new dashboard.DashboardBuilder('pointwatch · Province overview')
    .uid(UID)
    .tags(['pointwatch'])
    .editable()
    .time({ from: 'now-24h', to: 'now' })
    .refresh('1m')
    .timezone('browser')
    .withVariable(provinceVar())
    .withVariable(rpVar('raw'))
    .withVariable(targetVar())
    .withPanel(stateCount('UP (incl. degraded)', 'up', 'green'))
    .withPanel(stateCount('DOWN', 'down', 'red'))
    .withPanel(stateCount('UNREACHABLE (parent down)', 'unreachable', 'orange'))
    .withPanel(stateCount('UNKNOWN (not checked)', 'unknown', 'text'))
    .withPanel(stateCount('MAINTENANCE', 'maintenance', 'blue'))
    .withPanel(new stat.PanelBuilder()
      .title('Incidents opened')
      .withTarget(influxql(select('event', [agg('count', 'event', 'incident_id', 'incidents')])
        .rp(RP.raw).whereVar('province').whereTag('type', '=', 'incident_open').timeFilter()).format('table'))
      .graphMode(common.BigValueGraphMode.None)
      .noValue('0')
      .height(4).span(4))
    .withPanel(new geomap.PanelBuilder()
      .title('Sites by state')
      .description('Coordinates come from the inventory (pointwatch dashboards gazetteer); colour = latest state.')
      .withTarget(influxql(select('site_state', [agg('last', 'site_state', 'state_code', 'state_code')])
        .rp(RP.raw).whereVar('province').timeFilter().groupBy('site')).format('table'))
      .view({ build: () => ({ id: 'fit', padding: 10 }) })
      .basemap({ build: () => ({ type: 'osm-standard', name: 'OpenStreetMap' }) })
      .layers([{
        build: () => ({
          type: 'markers',
          name: 'sites',
          location: { mode: common.FrameGeometrySourceMode.Lookup, lookup: 'site', gazetteer: GAZETTEER },
          config: {
            showLegend: true,
            style: { size: { fixed: 8 }, color: { field: 'state_code', fixed: 'green' }, opacity: 0.9 },
          },
          tooltip: true,
        }),
      }])
      .mappings(STATE_MAPPINGS)
      .thresholds(stateThresholds())
      .height(14).span(14))
    .withPanel(new bargauge.PanelBuilder()
      .title('Availability by commune (all hours; UP ÷ (UP + DOWN))')
      .withTarget(influxql(select('site_state', [availabilityExpr()])
        .rp('$rp').whereVar('province').timeFilter().groupBy('commune')).alias('$tag_commune'))
      .unit('percent').min(0).max(100).decimals(1)
      .thresholds(availabilityThresholds())
      .orientation(common.VizOrientation.Horizontal)
      .displayMode(common.BarGaugeDisplayMode.Basic)
      .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
      .height(14).span(10))
    .withPanel(new timeseries.PanelBuilder()
      .title('Sites DOWN over time')
      .withTarget(influxql(select('site_state', [agg('sum', 'site_state', 'down', 'down')])
        .rp(RP.raw).whereVar('province').timeFilter().groupByTime('$__interval').fill('null'))
        .alias('down'))
      .description('Checks in state DOWN per interval, in the province.')
      .height(8).span(24))
    .withPanel(new table.PanelBuilder()
      .title('Events (transitions, incidents, reboots)')
      .withTarget(influxql(select('event', [
        field('event', 'text', 'text'), field('event', 'from_state', 'from'), field('event', 'to_state', 'to'),
        field('event', 'cause', 'cause'), field('event', 'incident_id', 'incident'),
      ]).rp(RP.raw).whereVar('province').timeFilter().groupBy('site', 'commune', 'type').orderDesc().limit(200)).format('table'))
      .height(10).span(24))
    .build();
}
