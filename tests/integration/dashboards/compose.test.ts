/**
 * docker-compose.yml, the Dockerfile and Grafana provisioning: there is no Docker engine on the test
 * machines, so this checks what can be checked without one: the files parse, every path they mount
 * or copy exists in the repository, ports agree with the settings, the provisioning files have the
 * keys Grafana reads, and the datasource points at the compose InfluxDB service and the database
 * pointwatch writes to.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { loadConfig } from '../../../src/config/load.js';
import { INFLUXD_DATA_TUNING } from '../../../src/store/local-influxd.js';
import { DATASOURCE } from '../../../dashboards/lib/influxql.js';
import { GAZETTEER } from '../../../dashboards/province-overview.js';
import { DASHBOARDS } from '../../../dashboards/index.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const read = (p: string) => fs.readFileSync(path.join(ROOT, p), 'utf8');
const parse = (p: string) => {
  const doc = YAML.parseDocument(read(p));
  expect(doc.errors.map((e) => e.message), p).toEqual([]);
  return doc.toJS() as Record<string, any>;
};

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, unknown>;
}

const compose = parse('docker-compose.yml') as { services: Record<string, Service>; volumes: Record<string, unknown> };
const svc = (name: string) => compose.services[name]!;
/** `host:container[:mode]` → parts; host is a repo path when it starts with `.`. */
const mounts = (s: Service) => (s.volumes ?? []).map((v) => {
  const [source, target, mode] = v.split(':');
  return { source: source!, target: target!, mode };
});
const portPairs = (s: Service) => (s.ports ?? []).map((p) => {
  const parts = p.split(':');
  return { host: Number(parts[parts.length - 2]), container: Number(parts[parts.length - 1]), bind: parts.length === 3 ? parts[0] : undefined };
});
/** Compose's `${VAR:-default}` with the default taken. */
const envDefault = (v: string) => v.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');

describe('docker-compose.yml', () => {
  it('has InfluxDB 1.11, Grafana 12 and pointwatch', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['grafana', 'influxdb', 'pointwatch']);
    expect(svc('influxdb').image).toBe('influxdb:1.11');
    expect(svc('grafana').image).toMatch(/^grafana\/grafana(-oss)?:12\.\d+\.\d+$/); // pinned
    expect(svc('pointwatch').build).toBe('.');
    expect(svc('pointwatch').command).toEqual(['run']);
  });

  it('every repository path it mounts exists', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      for (const m of mounts(s)) {
        if (!m.source.startsWith('.')) {
          expect(Object.keys(compose.volumes), `${name}: named volume ${m.source} is declared`).toContain(m.source);
          continue;
        }
        expect(fs.existsSync(path.join(ROOT, m.source)), `${name}: ${m.source}`).toBe(true);
        expect(m.mode, `${name}: ${m.source} is mounted read-only`).toBe('ro');
      }
    }
  });

  it('keeps data, spool and the SQLite file on volumes', () => {
    const targets = mounts(svc('pointwatch')).map((m) => m.target);
    const env = svc('pointwatch').environment!;
    expect(targets).toContain(env.POINTWATCH_DATA_DIR); // SQLite lives in data_dir
    expect(targets).toContain(`${env.POINTWATCH_DATA_DIR}/spool`); // the writer's spool: <data_dir>/spool
    expect(mounts(svc('influxdb')).map((m) => m.target)).toContain('/var/lib/influxdb');
    expect(targets).toContain('/app/config');
  });

  it('ports agree with the settings and publish on loopback only', async () => {
    const env = svc('pointwatch').environment!;
    const configFile = envDefault(env.POINTWATCH_CONFIG!).replace('/app/config/', 'config/');
    expect(fs.existsSync(path.join(ROOT, configFile)), configFile).toBe(true);
    const { settings } = await loadConfig({ config: path.join(ROOT, configFile), env: {} });
    const api = portPairs(svc('pointwatch'));
    expect(api).toEqual([{ bind: '127.0.0.1', host: settings.api.port, container: Number(env.POINTWATCH_PORT) }]);
    const influx = portPairs(svc('influxdb'));
    expect(influx).toEqual([{ bind: '127.0.0.1', host: Number(new URL(settings.influx.url).port), container: 8086 }]);
    const u = new URL(env.POINTWATCH_INFLUX_URL!);
    expect(u.hostname).toBe('influxdb');
    expect(Number(u.port)).toBe(8086);
    expect(svc('influxdb').environment!.INFLUXDB_DB).toBe(settings.influx.database);
    // the InfluxDB tuning the tests and the benchmark run with is the one compose deploys
    for (const [k, v] of Object.entries(INFLUXD_DATA_TUNING)) {
      expect(svc('influxdb').environment![`INFLUXDB_DATA_${k.toUpperCase().replace(/-/g, '_')}`], k).toBe(v);
    }
    for (const s of Object.values(compose.services)) for (const p of portPairs(s)) expect(p.bind).toBe('127.0.0.1');
  });

  it('mounts the dashboards where the provider reads them, and the gazetteer where the map looks', () => {
    const provider = parse('config/grafana/provisioning/dashboards/pointwatch.yaml');
    const dashMount = mounts(svc('grafana')).find((m) => m.source === './dashboards/json')!;
    expect(provider.providers[0].options.path).toBe(dashMount.target);
    for (const name of Object.keys(DASHBOARDS)) expect(fs.existsSync(path.join(ROOT, 'dashboards/json', `${name}.json`)), name).toBe(true);
    const gaz = mounts(svc('grafana')).find((m) => m.target.endsWith('.json') && m.target.includes('gazetteer'))!;
    expect(gaz.target).toBe(`/usr/share/grafana/${GAZETTEER}`);
    const entries = JSON.parse(read(gaz.source)) as Array<{ key: string; latitude: number; longitude: number }>;
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) {
      expect(typeof e.key).toBe('string');
      expect(Math.abs(e.latitude)).toBeLessThanOrEqual(90);
    }
    const home = svc('grafana').environment!.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH!;
    expect(home.startsWith(`${dashMount.target}/`)).toBe(true);
    expect(fs.existsSync(path.join(ROOT, 'dashboards/json', path.basename(home)))).toBe(true);
  });
});

describe('Grafana provisioning', () => {
  it('the datasource is the one every query names, and points at the compose InfluxDB and database', async () => {
    const ds = parse('config/grafana/provisioning/datasources/pointwatch.yaml');
    expect(ds.apiVersion).toBe(1);
    expect(ds.datasources).toHaveLength(1);
    const d = ds.datasources[0];
    expect(d).toMatchObject({ uid: DATASOURCE.uid, type: DATASOURCE.type, access: 'proxy' });
    expect(d.url).toBe(svc('pointwatch').environment!.POINTWATCH_INFLUX_URL);
    const { settings } = await loadConfig({ config: path.join(ROOT, 'config/pointwatch.example.yaml'), env: {} });
    expect(d.jsonData.dbName).toBe(settings.influx.database);
    expect(mounts(svc('grafana')).map((m) => m.target)).toContain('/etc/grafana/provisioning/datasources');
  });

  // Grafana cannot run here: what can be checked is that every dashboard is one Grafana 12 loads
  // (core panels only: Grafana 12 removed the Angular ones) and that every query names the provisioned datasource.
  it('every dashboard JSON uses only Grafana 12 core panels and the provisioned datasource', () => {
    const uid = parse('config/grafana/provisioning/datasources/pointwatch.yaml').datasources[0].uid as string;
    const CORE_PANELS = ['timeseries', 'stat', 'bargauge', 'gauge', 'table', 'geomap', 'state-timeline', 'status-history', 'barchart', 'piechart', 'text', 'row'];
    const files = fs.readdirSync(path.join(ROOT, 'dashboards/json')).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(Object.keys(DASHBOARDS).map((n) => `${n}.json`).sort());
    for (const f of files) {
      const d = JSON.parse(read(`dashboards/json/${f}`)) as { uid: string; title: string; schemaVersion: number; panels: Array<{ type: string; targets?: Array<{ datasource?: { uid: string } }> }>; templating?: { list: Array<{ type: string; datasource?: { uid: string } }> } };
      expect(d.uid, f).toMatch(/^[a-z0-9-]{1,40}$/);
      expect(d.title, f).toBeTruthy();
      expect(d.schemaVersion, f).toBeGreaterThanOrEqual(36); // migrated by Grafana on load, never refused
      for (const p of d.panels) {
        expect(CORE_PANELS, `${f}: panel type ${p.type}`).toContain(p.type);
        for (const t of p.targets ?? []) expect(t.datasource?.uid, `${f}: ${p.type} query`).toBe(uid);
      }
      for (const v of d.templating?.list ?? []) if (v.type === 'query') expect(v.datasource?.uid, `${f}: variable`).toBe(uid);
    }
  });

  it('the dashboards provider has the keys Grafana reads', () => {
    const p = parse('config/grafana/provisioning/dashboards/pointwatch.yaml');
    expect(p.apiVersion).toBe(1);
    expect(p.providers[0]).toMatchObject({ name: 'pointwatch', type: 'file', orgId: 1, allowUiUpdates: false });
    expect(typeof p.providers[0].options.path).toBe('string');
    expect(mounts(svc('grafana')).map((m) => m.target)).toContain('/etc/grafana/provisioning/dashboards');
  });
});

describe('Dockerfile', () => {
  const lines = read('Dockerfile').split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
  const froms = lines.filter((l) => l.startsWith('FROM '));
  it('builds on the current Node LTS, then runs dist/ on the slim image of the same Node, with fping', () => {
    expect(froms).toEqual(['FROM node:24-bookworm AS build', 'FROM node:24-bookworm-slim']);
    const build = lines.slice(0, lines.indexOf(froms[1]!)).join('\n');
    const run = lines.slice(lines.indexOf(froms[1]!)).join('\n');
    expect(build).toMatch(/RUN npm ci\b/);
    expect(build).toMatch(/npm run build && npm prune --omit=dev/);
    expect(run).toMatch(/COPY --from=build \/app\/dist \.\/dist/);
    expect(run).toMatch(/COPY --from=build \/app\/node_modules \.\/node_modules/);
    expect(run, 'no sources or TypeScript at run time').not.toMatch(/COPY (src|tsconfig)/);
    expect(run).toMatch(/apt-get install[^\n]*\bfping\b/);
    expect(lines.find((l) => l.startsWith('ENTRYPOINT'))).toContain('bin/pointwatch.js');
    expect(lines.find((l) => l.startsWith('CMD'))).toBe('CMD ["run"]');
  });
  it('starts bin/pointwatch.js through its shebang, whose V8 flags are the ones `npm run bench` measured with', () => {
    const entry = JSON.parse(lines.find((l) => l.startsWith('ENTRYPOINT'))!.slice('ENTRYPOINT'.length)) as string[];
    expect(entry.at(-1)).toBe('/app/bin/pointwatch.js'); // not `node bin/pointwatch.js`: that would drop the flags
    const shebang = read('bin/pointwatch.js').split('\n')[0]!;
    const m = /^#!\/usr\/bin\/env -S ((?:[A-Z_]+=\S+ )*)node((?: --[a-z-]+(?:=\S+)?)+)$/.exec(shebang);
    const env = m?.[1]?.trim();
    const flags = m?.[2]?.trim();
    expect(env).toContain('MALLOC_ARENA_MAX=');
    expect(flags).toContain('--max-semi-space-size=');
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts.bench).toBe(`${env} node ${flags} --import tsx tests/bench/run.ts`);
    expect(pkg.scripts.pointwatch).toBe('bin/pointwatch.js');
    expect(fs.statSync(path.join(ROOT, 'bin/pointwatch.js')).mode & 0o111, 'bin/pointwatch.js is executable').not.toBe(0);
  });
  it('copies only paths that exist', () => {
    for (const l of lines.filter((x) => x.startsWith('COPY ') && !x.startsWith('COPY --from'))) {
      const parts = l.split(/\s+/).slice(1, -1);
      for (const p of parts) expect(fs.existsSync(path.join(ROOT, p)), l).toBe(true);
    }
  });
  it('the container\'s data dir is the compose volume', () => {
    const env = lines.find((l) => l.includes('POINTWATCH_DATA_DIR='))!;
    expect(env).toContain(`POINTWATCH_DATA_DIR=${svc('pointwatch').environment!.POINTWATCH_DATA_DIR}`);
  });
});
