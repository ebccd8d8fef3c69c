/**
 * Public status pages (settings.public): /public, /public/<province>, /public/<province>/<commune>,
 * `?lang=vi|en`. No login, no cookie read or set, no script. Each page is rendered at most once
 * per `public.cache_s` per language and served from memory (ETag, Cache-Control, pre-compressed);
 * the 30-day history is read at most once per `public.history_cache_s` per province.
 * Areas not listed in the settings answer 404, as if they did not exist.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Lang, Site } from '../../config/schema.js';
import type { ApiDeps } from '../../api/deps.js';
import { communeClass, centroid, type MapPoint } from '../../reports/map.js';
import { dailyAvailability, maintenanceAhead, publicPoints, slugMap, DAY, type HourBucket } from './model.js';
import { publicCommunePage, publicIndexPage, publicProvincePage, type PublicCtx } from './pages.js';
import { packPage, pickEncoding, TtlCache, type CachedPage } from './cache.js';
import { pt } from './i18n.js';
import { HTML_PAGE } from '../../api/route-contract.js';

export const HISTORY_DAYS = 30;
/** Past this many points a province page lists communes only (each commune page lists its points). */
const DETAIL_MAX_POINTS = 60;
const SIZE_LIMIT = 48 * 1024;

export interface PublicStats {
  renders: number;
  historyReads: number;
  served: number;
  notModified: number;
}

const statsByDeps = new WeakMap<object, PublicStats>();
/** Render and read counts of the public pages of one server (tests and load tests read them). */
export function publicStatsFor(deps: object): PublicStats {
  let s = statsByDeps.get(deps);
  if (!s) statsByDeps.set(deps, (s = { renders: 0, historyReads: 0, served: 0, notModified: 0 }));
  return s;
}

const HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  vary: 'Accept-Encoding',
} as const;

interface AreaIndex {
  provinces: Map<string, { name: string; sites: Site[]; communes: Map<string, string> }>;
  /** province slug → commune slug → public? */
  publicCommunes: Set<string>;
  publicProvinces: Set<string>;
}

/** Which areas are public, by slug. Recomputed when the inventory object changes (reload). */
export function indexAreas(sites: readonly Site[], pub: ApiDeps['settings']['public']): AreaIndex {
  const provSlugs = slugMap(sites.map((s) => s.province));
  const provinces: AreaIndex['provinces'] = new Map();
  for (const [name, ps] of provSlugs) {
    const inProv = sites.filter((s) => s.province === name);
    const communes = new Map<string, string>();
    for (const [c, cs] of slugMap(inProv.map((s) => s.commune))) communes.set(cs, c);
    provinces.set(ps, { name, sites: inProv, communes });
  }
  const publicProvinces = new Set(pub.provinces.map((p) => provSlugs.get(p)).filter((x): x is string => !!x));
  const publicCommunes = new Set<string>();
  for (const [ps, p] of provinces) {
    for (const [cs, c] of p.communes) {
      if (publicProvinces.has(ps) || pub.communes.some((x) => x.province === p.name && x.commune === c)) publicCommunes.add(`${ps}/${cs}`);
    }
  }
  return { provinces, publicCommunes, publicProvinces };
}

export const publicRoutes: FastifyPluginAsync = async (app) => {
  const deps: ApiDeps = app.pw.deps;
  const s = deps.settings;
  const pub = s.public;
  if (!pub.enabled) return;
  const stats = publicStatsFor(deps);
  const tz = s.reports.timezone;
  const pages = new TtlCache<CachedPage>(pub.cache_s * 1000, deps.clock);
  const history = new TtlCache<HourBucket[]>(pub.history_cache_s * 1000, deps.clock, 200);
  {
    // a public area that names nothing is a typo: say so once at start (the page answers 404)
    const sites = deps.inventory().sites;
    for (const p of pub.provinces) if (!sites.some((x) => x.province === p)) deps.logger.warn({ component: 'public', province: p }, 'public.provinces names no province of the inventory');
    for (const c of pub.communes) if (!sites.some((x) => x.province === c.province && x.commune === c.commune)) deps.logger.warn({ component: 'public', ...c }, 'public.communes names no commune of the inventory');
  }
  let indexed: { inv: unknown; idx: AreaIndex } | null = null;
  const areas = () => {
    const inv = deps.inventory();
    if (indexed?.inv !== inv) indexed = { inv, idx: indexAreas(inv.sites, pub) };
    return indexed.idx;
  };

  const historyOf = (province: string, now: number) => history.get(province, async () => {
    stats.historyReads++;
    if (!deps.stateBuckets) return [];
    return deps.stateBuckets(now - (HISTORY_DAYS + 1) * DAY, now, { province });
  }).catch((err: unknown) => {
    // the store is down: the page still shows the live states, the bars show no data
    deps.logger.warn({ err, component: 'public' }, 'public page history read failed');
    return [] as HourBucket[];
  });

  async function pointsOf(province: string, sites: Site[], now: number) {
    const avail = dailyAvailability(await historyOf(province, now), now, HISTORY_DAYS, tz);
    return publicPoints(sites, deps.live.states(), avail, { now, days: HISTORY_DAYS, target: s.reports.target_pct, droppedOffDays: s.reports.dropped_off_days });
  }

  async function ahead(sites: Site[], now: number) {
    const windows = await deps.incidents.listMaintenance();
    return maintenanceAhead(windows, sites, now, pub.ahead_days * DAY, tz);
  }

  const langOf = (req: FastifyRequest): Lang => {
    const q = (req.query as Record<string, unknown> | undefined)?.lang;
    return q === 'vi' || q === 'en' ? q : s.alerting.default_lang;
  };

  function send(req: FastifyRequest, reply: FastifyReply, page: CachedPage) {
    stats.served++;
    reply.headers(HEADERS).header('cache-control', `public, max-age=${pub.cache_s}`).header('etag', page.etag).header('last-modified', new Date(page.renderedAt).toUTCString());
    if (req.headers['if-none-match'] === page.etag) {
      stats.notModified++;
      return reply.code(304).send();
    }
    const enc = pickEncoding(req.headers['accept-encoding']);
    reply.code(page.status).type('text/html; charset=utf-8');
    if (enc !== 'identity') reply.header('content-encoding', enc);
    return reply.send(enc === 'br' ? page.br : enc === 'gzip' ? page.gzip : page.body);
  }

  /** `path`: the canonical path of the page (built from the slugs, never taken from the request). */
  const cached = (path: string, render: (ctx: PublicCtx) => Promise<string>) => async (req: FastifyRequest, reply: FastifyReply) => {
    const lang = langOf(req);
    const key = path;
    const page = await pages.get(`${lang} ${key}`, async () => {
      stats.renders++;
      const now = deps.clock.now();
      return packPage(await render({ lang, timeZone: tz, now, cacheS: pub.cache_s, path }), 200, now);
    });
    return send(req, reply, page);
  };

  const notFound = (reply: FastifyReply) => reply.code(404).headers(HEADERS).header('cache-control', 'no-store').type('text/html; charset=utf-8')
    .send('<!doctype html><html><head><meta charset="utf-8"><title>404</title></head><body><p>404</p><p><a href="/public">/public</a></p></body></html>');

  // Query strings are ignored except lang (a shared link may carry tracking parameters).
  const opts = { schema: { hide: true, response: HTML_PAGE }, compress: false } as const;

  app.get('/public', opts, (req, reply) => cached('/public', async (ctx) => {
    const idx = areas();
    const list: Array<{ name: string; href: string; level: 'province' | 'commune' }> = [];
    for (const [ps, p] of idx.provinces) {
      if (idx.publicProvinces.has(ps)) list.push({ name: p.name, href: `/public/${ps}`, level: 'province' });
      else for (const [cs, c] of p.communes) if (idx.publicCommunes.has(`${ps}/${cs}`)) list.push({ name: `${c}, ${p.name}`, href: `/public/${ps}/${cs}`, level: 'commune' });
    }
    return publicIndexPage(ctx, list);
  })(req, reply));

  app.get<{ Params: { province: string } }>('/public/:province', opts, (req, reply) => {
    const ps = req.params.province;
    const idx = areas();
    const p = idx.provinces.get(ps);
    if (!p || !idx.publicProvinces.has(ps)) return notFound(reply);
    return cached(`/public/${ps}`, async (ctx) => {
      const points = await pointsOf(p.name, p.sites, ctx.now);
      const byId = new Map(points.map((x) => [x.id, x]));
      const communes = [...p.communes].map(([cs, name]) => {
        const cp = p.sites.filter((x) => x.commune === name).map((x) => byId.get(x.id)!);
        return { name, slug: cs, href: `/public/${ps}/${cs}`, points: cp, cls: communeClass(cp.map((x) => x.cls)), pos: centroid(p.sites.filter((x) => x.commune === name)) };
      });
      const mapPoints: MapPoint[] = communes.flatMap((c) => (c.pos ? [{ ...c.pos, label: c.name, href: `${c.href}?lang=${ctx.lang}`, cls: c.cls, note: pt(ctx.lang, 'now_working', { up: c.points.filter((x) => x.state === 'UP' || x.state === 'DEGRADED').length, n: c.points.length }) }] : []));
      const unplaced = communes.filter((c) => !c.pos).map((c) => c.name);
      const view = { province: p.name, communes, mapPoints, unplaced, ahead: await ahead(p.sites, ctx.now), days: HISTORY_DAYS, aheadDays: pub.ahead_days, detail: points.length <= DETAIL_MAX_POINTS };
      const full = publicProvincePage(ctx, view);
      return Buffer.byteLength(full) <= SIZE_LIMIT ? full : publicProvincePage(ctx, { ...view, detail: false });
    })(req, reply);
  });

  app.get<{ Params: { province: string; commune: string } }>('/public/:province/:commune', opts, (req, reply) => {
    const { province: ps, commune: cs } = req.params;
    const idx = areas();
    const p = idx.provinces.get(ps);
    const name = p?.communes.get(cs);
    if (!p || !name || !idx.publicCommunes.has(`${ps}/${cs}`)) return notFound(reply);
    return cached(`/public/${ps}/${cs}`, async (ctx) => {
      const sites = p.sites.filter((x) => x.commune === name);
      return publicCommunePage(ctx, {
        province: p.name, commune: name, points: await pointsOf(p.name, sites, ctx.now), ahead: await ahead(sites, ctx.now),
        days: HISTORY_DAYS, aheadDays: pub.ahead_days, provinceHref: idx.publicProvinces.has(ps) ? `/public/${ps}` : null,
      });
    })(req, reply);
  });
};
