/**
 * THE schema of pointwatch's configuration: settings (pointwatch.yaml) and inventory (sites.yaml).
 * Validation, defaults, TypeScript types and the exported JSON Schema all come from here.
 * Every object is closed (`additionalProperties: false`): an unknown key is an error.
 */
import { FormatRegistry, Type, type Static, type TSchema, type ObjectOptions, type TProperties } from '@sinclair/typebox';

// String formats used below (TypeBox checks none by itself).
if (!FormatRegistry.Has('date')) {
  FormatRegistry.Set('date', (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v));
}
if (!FormatRegistry.Has('email')) FormatRegistry.Set('email', (v) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v));

const closed = <T extends TProperties>(props: T, opts: ObjectOptions = {}) =>
  Type.Object(props, { additionalProperties: false, ...opts });

/** A duration such as `30s`, `5m`, `12h`, `400d`, `52w`. */
export const Duration = Type.String({ pattern: '^[0-9]+(ms|s|m|h|d|w)$', description: 'duration like 30s, 5m, 12h, 400d' });
/** Local time of day `HH:MM`. */
const TimeOfDay = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM' });
/** A secret: may also be given as `<key>_file: /path` or as `${ENV_VAR}` (resolved at load). */
const Secret = (description: string) => Type.String({ minLength: 1, description: `${description} (secret: never logged)` });

export const SITE_KINDS = ['cultural_house', 'info_point', 'commune_office', 'school', 'other'] as const;
export const UPLINKS = ['fibre', '4g', '3g', 'satellite', 'other'] as const;
export const VENDORS = ['generic', 'mikrotik', 'ubiquiti'] as const;
export const LANGS = ['vi', 'en'] as const;
/** Area levels (contacts, escalation): the commune, the optional group, the province. */
export const LEVELS = ['commune', 'group', 'province'] as const;
/** A commune is a xã, a phường or an đặc khu (special zone). */
export const COMMUNE_KINDS = ['xa', 'phuong', 'dac_khu'] as const;
export const POWER_SOURCES = ['grid', 'solar', 'ups', 'generator'] as const;

const lit = <T extends readonly string[]>(values: T, opts: { description?: string; default?: T[number] } = {}) =>
  Type.Union(values.map((v) => Type.Literal(v)) as never, opts) as unknown as TSchema & { static: T[number] };

// ---------------------------------------------------------------- inventory

/** A phone number as people write it: 0912 345 678, 0912.345.678, +84912345678. */
const PHONE_PATTERN = '^\\+?[0-9 .-]{8,16}$';

export const Contact = closed({
  name: Type.String({ minLength: 1 }),
  phone: Type.Optional(Type.String({ pattern: PHONE_PATTERN, description: 'phone number, e.g. 0912 345 678 or +84912345678' })),
  zalo: Type.Optional(Type.String({ minLength: 1, description: 'phone or Zalo user id' })),
  email: Type.Optional(Type.String({ format: 'email' })),
  telegram_chat_id: Type.Optional(Type.String()),
  lang: Type.Optional(lit(LANGS)),
  role: Type.Optional(Type.String({ description: 'e.g. commune IT, cultural house keeper' })),
});

export const SnmpV1V2 = closed({
  version: Type.Union([Type.Literal('1'), Type.Literal('2c')]),
  community: Secret('community string'),
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
});
export const SnmpV3 = closed({
  version: Type.Literal('3'),
  user: Type.String({ minLength: 1 }),
  auth: Type.Optional(closed({ protocol: lit(['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512'] as const), key: Secret('v3 auth key') })),
  priv: Type.Optional(closed({ protocol: lit(['des', 'aes', 'aes256b', 'aes256r'] as const), key: Secret('v3 privacy key') })),
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
});

export const Site = closed({
  id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'stable slug: lowercase letters, digits, dashes' }),
  name: Type.String({ minLength: 1 }),
  kind: lit(SITE_KINDS),
  province: Type.String({ minLength: 1 }),
  group: Type.Optional(Type.String({
    minLength: 1,
    description: 'optional grouping between province and commune (a cluster, or the former district kept for history), named by places.group_label; `district:` is read as this',
  })),
  commune: Type.String({ minLength: 1, description: 'the commune (xã, phường or đặc khu) by its current name' }),
  village: Type.Optional(Type.String()),
  lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
  lon: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
  host: Type.Optional(Type.String({ minLength: 1, description: 'IP address or host name of the router (absent: a push-only site, never polled)' })),
  snmp: Type.Union([SnmpV1V2, SnmpV3, Type.Literal(false)], { default: false, description: 'SNMP access, or false for a ping-only (or push-only) site' }),
  // push: the router reports in (behind carrier NAT); src/push/README.md
  push: Type.Optional(closed({
    interval_s: Type.Integer({ minimum: 5, maximum: 86400, description: 'seconds between two reports from the router' }),
  }, { description: 'the router sends a signed report every interval_s seconds (pointwatch site token SITE_ID)' })),
  parent: Type.Optional(Type.String({ description: 'id of the site whose failure makes this one unreachable' })),
  uplink: Type.Optional(lit(UPLINKS)),
  vendor: Type.Optional(lit(VENDORS)),
  wan_interface: Type.Optional(Type.String({ description: 'ifName/ifDescr of the WAN interface; picked automatically when absent' })),
  contacts: Type.Array(Contact, { default: [] }),
  tags: Type.Array(Type.String(), { default: [] }),
  added: Type.Optional(Type.String({ format: 'date', description: 'date the site went into service (YYYY-MM-DD)' })),
  // What commune staff need in the field (the printable commune sheet shows it all).
  sim: Type.Optional(closed({
    number: Type.String({ pattern: PHONE_PATTERN, description: 'SIM phone number, e.g. 0912 345 678' }),
    carrier: Type.Optional(Type.String({ minLength: 1, description: 'mobile carrier, e.g. Viettel, VinaPhone, MobiFone' })),
  }, { description: 'SIM card of a 4G/3G router' })),
  isp: Type.Optional(closed({
    name: Type.String({ minLength: 1, description: 'Internet provider, e.g. VNPT, Viettel, FPT' }),
    account: Type.Optional(Type.String({ minLength: 1, description: 'contract or account number to quote when calling the provider' })),
  })),
  bandwidth: Type.Optional(closed({
    down_mbps: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'contracted download, Mbit/s' })),
    up_mbps: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'contracted upload, Mbit/s' })),
  }, { description: 'the contracted package: saturation is judged against it instead of the port speed' })),
  power: Type.Optional(Type.Array(lit(POWER_SOURCES), { minItems: 1, uniqueItems: true, description: 'power sources, e.g. [grid, ups]' })),
  key_holder: Type.Optional(Contact),
  router: Type.Optional(closed({
    model: Type.Optional(Type.String({ minLength: 1, description: 'e.g. MikroTik hAP ac2' })),
    serial: Type.Optional(Type.String({ minLength: 1 })),
  })),
});

export const AreaContacts = closed({
  level: lit(LEVELS),
  name: Type.String({ minLength: 1, description: 'the commune, group or province name as used by sites (a commune or group may be written Province/Name)' }),
  province: Type.Optional(Type.String({ minLength: 1, description: 'the province of this commune or group, when its name repeats in another province' })),
  contacts: Type.Array(Contact),
});

/** A name a commune had before the 2025 merger, as older data, power-cut schedules and ISP records still write it. */
export const FormerName = closed({
  name: Type.String({ minLength: 1 }),
  district: Type.Optional(Type.String({ minLength: 1, description: 'the district it was in (tells apart former communes of the same name)' })),
  province: Type.Optional(Type.String({ minLength: 1, description: 'its former province, when provinces merged too' })),
});

export const Commune = closed({
  province: Type.String({ minLength: 1 }),
  name: Type.String({ minLength: 1, description: 'current name, as sites write it' }),
  kind: Type.Optional(lit(COMMUNE_KINDS, { description: 'xa (xã), phuong (phường) or dac_khu (đặc khu); messages name no kind when absent' })),
  former_names: Type.Array(FormerName, { default: [], description: 'communes merged into this one, and its own former names' }),
});

export const Inventory = closed({
  sites: Type.Array(Site),
  areas: Type.Array(AreaContacts, { default: [], description: 'escalation contacts per commune, group and province' }),
  communes: Type.Optional(Type.Array(Commune, { default: [], description: 'what a commune is (xã, phường, đặc khu) and its former names; optional' })),
});

// ---------------------------------------------------------------- settings

const UplinkThresholds = closed({
  loss_pct: Type.Number({ minimum: 0, maximum: 100, description: 'loss above this is DEGRADED' }),
  rtt_ms: Type.Number({ minimum: 0, description: 'average RTT above this is DEGRADED' }),
});

const defaultThresholds = {
  fibre: { loss_pct: 5, rtt_ms: 100 },
  '4g': { loss_pct: 20, rtt_ms: 300 },
  '3g': { loss_pct: 25, rtt_ms: 600 },
  satellite: { loss_pct: 10, rtt_ms: 900 },
  other: { loss_pct: 20, rtt_ms: 500 },
};

const defaultLte = { rsrp_dbm: -110, rsrq_db: -15, sinr_db: 0 };
/** LTE signal below any of these is `weak-signal` (push reports and MikroTik SNMP alike). */
const LteThresholds = closed({
  rsrp_dbm: Type.Number({ minimum: -160, maximum: -30, default: defaultLte.rsrp_dbm, description: 'RSRP below this (dBm) is weak' }),
  rsrq_db: Type.Number({ minimum: -40, maximum: 0, default: defaultLte.rsrq_db, description: 'RSRQ below this (dB) is weak' }),
  sinr_db: Type.Number({ minimum: -30, maximum: 50, default: defaultLte.sinr_db, description: 'SINR below this (dB) is weak' }),
}, { default: defaultLte });

/** Delivery options every notifier has: per-request timeout and attempts inside one send (backoff between). */
const delivery = {
  timeout_ms: Type.Integer({ minimum: 100, maximum: 120000, default: 10000, description: 'per request' }),
  attempts: Type.Integer({ minimum: 1, maximum: 10, default: 3, description: 'tries per send: 5xx, timeouts and 429 are retried with backoff, other 4xx are not' }),
};
export const WebhookNotifier = closed({
  type: Type.Literal('webhook'),
  name: Type.String({ minLength: 1 }),
  url: Type.String({ minLength: 1 }),
  secret: Secret('HMAC-SHA256 key'),
  ...delivery,
  timeout_ms: Type.Integer({ minimum: 100, maximum: 120000, default: 5000 }),
});
export const EmailNotifier = closed({
  type: Type.Literal('email'),
  name: Type.String({ minLength: 1 }),
  host: Type.String({ minLength: 1 }),
  port: Type.Integer({ minimum: 1, maximum: 65535, default: 587 }),
  secure: Type.Boolean({ default: false }),
  user: Type.Optional(Type.String()),
  password: Type.Optional(Secret('SMTP password')),
  from: Type.String({ minLength: 3 }),
  to: Type.Array(Type.String({ minLength: 3 }), { default: [], description: 'always-copied addresses; contacts with email are added' }),
  fallback: Type.Optional(Type.String({ description: 'name of the notifier (usually SMS) that takes the contacts this one could not reach' })),
  ...delivery,
});
export const TelegramNotifier = closed({
  type: Type.Literal('telegram'),
  name: Type.String({ minLength: 1 }),
  api_base: Type.String({ default: 'https://api.telegram.org' }),
  bot_token: Secret('bot token'),
  chat_ids: Type.Array(Type.String(), { default: [] }),
  fallback: Type.Optional(Type.String({ description: 'name of the notifier (usually SMS) that takes the contacts this one could not reach' })),
  ...delivery,
});
export const ZaloNotifier = closed({
  type: Type.Literal('zalo'),
  name: Type.String({ minLength: 1 }),
  api_base: Type.String({ default: 'https://business.openapi.zalo.me' }),
  oauth_base: Type.String({ default: 'https://oauth.zaloapp.com' }),
  app_id: Type.String({ minLength: 1 }),
  app_secret: Secret('Zalo app secret'),
  access_token: Secret('OA access token'),
  refresh_token: Type.Optional(Secret('OA refresh token')),
  template_id: Type.String({ minLength: 1 }),
  template_params: Type.Record(Type.String(), Type.String(), {
    default: { site: 'site', commune: 'commune', state: 'state', since: 'since', link: 'link' },
    description: 'ZNS template parameter name for each pointwatch field',
  }),
  fallback: Type.Optional(Type.String({ description: 'name of the notifier to use when Zalo fails (usually the SMS one)' })),
  ...delivery,
});
export const SmsNotifier = closed({
  type: Type.Literal('sms'),
  name: Type.String({ minLength: 1 }),
  method: lit(['POST', 'GET'] as const),
  url: Type.String({ minLength: 1, description: 'URL template; {phone} and {text} are replaced (URL-encoded)' }),
  auth_header: Type.Optional(Type.String({ default: 'Authorization' })),
  auth_value: Type.Optional(Secret('value of the auth header')),
  body_template: Type.Optional(Type.String({ description: 'JSON body template; {phone} and {text} are replaced (JSON-escaped)' })),
  phone_format: lit(['international', 'e164', 'national'] as const, { default: 'international', description: '84912345678, +84912345678 or 0912345678' }),
  encoding: lit(['auto', 'gsm7'] as const, { default: 'auto', description: 'gsm7 strips Vietnamese diacritics (160 chars per part instead of 70)' }),
  max_parts: Type.Integer({ minimum: 1, maximum: 6, default: 3, description: 'longer texts are shortened to fit' }),
  split: Type.Boolean({ default: false, description: 'send each part as its own request (gateways that do not concatenate)' }),
  ...delivery,
});
export const Notifier = Type.Union([WebhookNotifier, EmailNotifier, TelegramNotifier, ZaloNotifier, SmsNotifier]);

export const Settings = closed({
  data_dir: Type.String({ default: '.data', description: 'incidents database, spool, and local daemons' }),
  inventory: Type.String({ default: 'sites.yaml', description: 'inventory file, relative to this file' }),
  runbooks_dir: Type.String({ default: 'runbooks', description: 'runbook folder (<lang>/<kind>.md for every alert kind), relative to this file' }),
  log_level: lit(['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const, { default: 'info' }),
  influx: closed({
    url: Type.String({ default: 'http://127.0.0.1:8086' }),
    database: Type.String({ default: 'pointwatch', pattern: '^[A-Za-z0-9_]+$' }),
    username: Type.Optional(Type.String()),
    password: Type.Optional(Secret('InfluxDB password')),
    batch_size: Type.Integer({ minimum: 1, default: 5000 }),
    flush_interval_ms: Type.Integer({ minimum: 10, default: 1000 }),
    timeout_ms: Type.Integer({ minimum: 100, default: 10000 }),
    retention: closed({
      raw: Duration,
      rollup_5m: Duration,
      rollup_1h: Duration,
      resample_for: Duration,
    }, { default: { raw: '30d', rollup_5m: '400d', rollup_1h: '1825d', resample_for: '2h' } }),
  }, { default: {} }),
  spool: closed({
    max_bytes: Type.Integer({ minimum: 1024, default: 4 * 1024 ** 3, description: 'spool size bound (default 4 GiB: >7 days of 1,000 sites)' }),
    warn_ratio: Type.Number({ minimum: 0.1, maximum: 1, default: 0.7 }),
    replay_points_per_s: Type.Integer({ minimum: 1, default: 50000 }),
  }, { default: {} }),
  poller: closed({
    ping: closed({
      interval_s: Type.Integer({ minimum: 5, maximum: 3600, default: 30 }),
      count: Type.Integer({ minimum: 1, maximum: 20, default: 5 }),
      period_ms: Type.Integer({ minimum: 10, default: 200, description: 'gap between pings to one host' }),
      timeout_ms: Type.Integer({ minimum: 50, default: 1000 }),
      interval_ms: Type.Number({ minimum: 0.1, maximum: 100, default: 0.25, description: 'fping -i: gap between any two packets of one fping process' }),
      batch_size: Type.Integer({ minimum: 1, maximum: 1000, default: 500, description: 'hosts per fping process' }),
      parallel_batches: Type.Integer({
        minimum: 1, maximum: 64, default: 4,
        description: 'fping processes at once (each sends one packet per interval_ms). Every echo reply is copied to every fping raw socket: fewer processes, less CPU',
      }),
    }, { default: {} }),
    snmp: closed({
      system_interval_s: Type.Integer({ minimum: 5, maximum: 3600, default: 60 }),
      interfaces_interval_s: Type.Integer({ minimum: 5, maximum: 3600, default: 60 }),
      timeout_ms: Type.Integer({ minimum: 100, default: 2000 }),
      retries: Type.Integer({ minimum: 0, maximum: 5, default: 2 }),
      concurrency: Type.Integer({ minimum: 1, maximum: 5000, default: 200 }),
      per_agent_concurrency: Type.Integer({ minimum: 1, maximum: 50, default: 4 }),
      max_repetitions: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    }, { default: {} }),
    recheck: closed({
      delay_s: Type.Integer({ minimum: 0, maximum: 60, default: 1, description: 'seconds from a failed check to its re-check' }),
      period_ms: Type.Integer({ minimum: 10, maximum: 5000, default: 100, description: 'gap between the re-check pings to one host (ping.count of them)' }),
    }, { default: {} }),
    spread: Type.Boolean({ default: true, description: 'spread requests over the interval instead of one burst' }),
    rss_budget_mb: Type.Integer({
      minimum: 0, default: 280,
      description: 'after a cycle, a full collection gives memory back when the RSS is above this many MiB (0: never). Not after every cycle: each one throws away the optimized code of the poll path, compiled again in the next cycle',
    }),
    shard: Type.Optional(closed({
      provinces: Type.Optional(Type.Array(Type.String())),
      communes: Type.Optional(Type.Array(Type.String(), { description: 'Province/Commune, or a commune name where it is unique' })),
      groups: Type.Optional(Type.Array(Type.String(), { description: 'Province/Group, or a group name (`districts` is read as this)' })),
    }, { description: 'poll only this part of the inventory (one process per shard): a site in any listed province, commune or group' })),
  }, { default: {} }),
  thresholds: closed({
    fibre: UplinkThresholds,
    '4g': UplinkThresholds,
    '3g': UplinkThresholds,
    satellite: UplinkThresholds,
    other: UplinkThresholds,
    saturation_pct: Type.Number({ minimum: 1, maximum: 100, default: 90 }),
    lte: LteThresholds,
  }, { default: { ...defaultThresholds, saturation_pct: 90, lte: defaultLte } }),
  push: closed({
    late_factor: Type.Number({ minimum: 1.1, maximum: 20, default: 2.5, description: 'a push site is DOWN when no report came for interval_s × this' }),
    max_clock_skew_s: Type.Integer({ minimum: 10, maximum: 3600, default: 300, description: 'a report signed further than this from the server clock is refused (replay window)' }),
    max_body_bytes: Type.Integer({ minimum: 1024, maximum: 1048576, default: 16384, description: 'largest report accepted (413 above)' }),
    reports_per_interval: Type.Integer({ minimum: 1, maximum: 60, default: 4, description: 'a site may send this many reports per interval_s (and as a burst); 429 beyond' }),
    silence_check_s: Type.Integer({ minimum: 1, maximum: 60, default: 5, description: 'how often late push sites are looked for' }),
  }, { default: {} }),
  alerting: closed({
    down_after: Type.Integer({ minimum: 1, maximum: 20, default: 2, description: 'failed checks (the fast re-check counts) before DOWN' }),
    up_after: Type.Integer({ minimum: 1, maximum: 20, default: 2, description: 'good checks before UP again' }),
    degraded_after: Type.Integer({ minimum: 1, maximum: 20, default: 3 }),
    flapping: closed({
      window: Duration,
      transitions: Type.Integer({ minimum: 2 }),
    }, { default: { window: '30m', transitions: 6 } }),
    commune_outage: closed({
      ratio: Type.Number({ minimum: 0.1, maximum: 1 }),
      window: Duration,
      min_sites: Type.Integer({ minimum: 2 }),
    }, { default: { ratio: 0.6, window: '3m', min_sites: 3 } }),
    group_wait: Type.String({ pattern: '^[0-9]+(ms|s|m|h|d|w)$', default: '30s', description: 'longest a site notice waits for other sites of its commune failing at the same moment (one message for them)' }),
    escalation: Type.Array(closed({ after: Duration, level: lit(LEVELS) }), {
      default: [{ after: '1h', level: 'province' }],
      description: 'levels told after the commune when nobody acknowledges (group only where a province uses groups)',
    }),
    default_lang: lit(LANGS, { default: 'vi' }),
    link_expiry: Type.String({ pattern: Duration.pattern, default: '7d', description: 'how long the signed link in a notice opens its incident without signing in' }),
    outcome_grace: Type.String({ pattern: Duration.pattern, default: '7d', description: 'after a site recovers, how long its incident can still be acknowledged, its steps ticked and its outcome written' }),
  }, { default: {} }),
  places: closed({
    group_label: Type.Optional(closed({ vi: Type.String({ minLength: 1 }), en: Type.String({ minLength: 1 }) }, {
      description: "what the optional grouping between province and commune is called, e.g. { vi: 'Cụm', en: 'Cluster' } or { vi: 'Huyện (cũ)', en: 'Former district' }",
    })),
  }, { default: {} }),
  notifiers: Type.Array(Notifier, { default: [] }),
  api: closed({
    host: Type.String({ default: '127.0.0.1' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
    public_url: Type.String({ default: 'http://127.0.0.1:8080', description: 'base of links in notifications' }),
    session_secret: Type.Optional(Secret('cookie signing key; generated into data_dir when absent')),
    body_limit_bytes: Type.Integer({ minimum: 1024, default: 1024 * 1024 }),
  }, { default: {} }),
  auth: closed({
    session_ttl: Duration,
    login_attempts_per_minute: Type.Integer({ minimum: 1, default: 10 }),
  }, { default: { session_ttl: '12h', login_attempts_per_minute: 10 } }),
  reports: closed({
    timezone: Type.String({ default: 'Asia/Ho_Chi_Minh' }),
    service_hours: closed({ start: TimeOfDay, end: TimeOfDay }, { default: { start: '06:00', end: '22:00' } }),
    target_pct: Type.Number({ minimum: 0, maximum: 100, default: 95 }),
    dropped_off_days: Type.Integer({ minimum: 1, default: 7 }),
  }, { default: {} }),
  public: closed({
    enabled: Type.Boolean({ default: false, description: 'serve public status pages (no login) for the areas below' }),
    provinces: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'provinces with a public page (their communes get one too)' }),
    communes: Type.Array(closed({ province: Type.String({ minLength: 1 }), commune: Type.String({ minLength: 1 }) }), { default: [], description: 'single communes with a public page' }),
    cache_s: Type.Integer({ minimum: 1, maximum: 3600, default: 60, description: 'a page is rendered at most once per this many seconds per language' }),
    history_cache_s: Type.Integer({ minimum: 10, maximum: 86400, default: 900, description: 'the 30-day availability is read from InfluxDB at most once per this many seconds per province' }),
    ahead_days: Type.Integer({ minimum: 1, maximum: 60, default: 7, description: 'planned maintenance and power cuts shown this many days ahead' }),
  }, { default: {} }),
  scheduled_reports: closed({
    enabled: Type.Boolean({ default: false }),
    still_down: Type.String({ default: '0 7 * * *', description: 'cron (local time, reports.timezone): daily list of points still down, to each commune' }),
    weekly: Type.String({ default: '0 7 * * 1', description: 'cron: weekly commune summary (the 7 days before), to each commune' }),
    monthly: Type.String({ default: '0 8 1 * *', description: 'cron: provincial coverage report of the previous month (HTML + CSV), to each province' }),
    email: Type.Optional(Type.String({ description: 'name of the email notifier that sends them (default: the first one)' })),
    telegram: Type.Optional(Type.String({ description: 'name of the telegram notifier for the link (default: the first one)' })),
    zalo: Type.Optional(Type.String({ description: 'name of the zalo notifier for the link (default: the first one)' })),
  }, { default: {} }),
  budget: closed({
    sms_zalo_per_commune_month: Type.Integer({ minimum: 0, default: 0, description: 'SMS + Zalo messages per commune and calendar month (0: no limit); past it, notices fold into the daily digest, except a new commune-wide outage' }),
  }, { default: {} }),
});

export type Contact = Static<typeof Contact>;
export type SnmpAccess = Static<typeof SnmpV1V2> | Static<typeof SnmpV3>;
export type SnmpV3Access = Static<typeof SnmpV3>;
export type Site = Static<typeof Site>;
export type AreaContacts = Static<typeof AreaContacts>;
export type Commune = Static<typeof Commune>;
export type CommuneKind = (typeof COMMUNE_KINDS)[number];
export type Inventory = Static<typeof Inventory>;
export type NotifierConfig = Static<typeof Notifier>;
export type Settings = Static<typeof Settings>;
export type SiteKind = (typeof SITE_KINDS)[number];
export type Uplink = (typeof UPLINKS)[number];
export type Lang = (typeof LANGS)[number];
export type Level = (typeof LEVELS)[number];
