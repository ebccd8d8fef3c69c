/**
 * A small typed InfluxQL query builder for Grafana dashboards (the Foundation SDK has no InfluxDB
 * query type). Measurement, field and tag names come ONLY from src/store/schema.ts: a renamed
 * field is a compile error here, not an empty panel in production.
 *
 *   const q = select('ping', [agg('mean', 'ping', 'loss_pct', 'loss')])
 *     .rp('$rp').whereTag('site', '=~', '/^$site$/').timeFilter().groupByTime().groupBy('site');
 *   panel.withTarget(influxql(q).alias('$tag_site'));
 *
 * Identifiers are always double-quoted. Template variables ($province, $rp, $__interval,
 * $timeFilter) are written as Grafana expects them and filled in by Grafana (or by the tests).
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type * as common from '@grafana/grafana-foundation-sdk/common';
import { LEGACY_TAGS, MEASUREMENTS, RP, type FieldsOf, type MeasurementName, type RetentionPolicyName, type TagsOf } from '../../src/store/schema.js';

/** The InfluxDB datasource provisioned by config/grafana/provisioning/datasources/pointwatch.yaml. */
export const DATASOURCE: common.DataSourceRef = { type: 'influxdb', uid: 'pointwatch-influxdb' };

export type Fn = 'mean' | 'median' | 'max' | 'min' | 'sum' | 'last' | 'first' | 'count' | 'distinct' | 'spread';

/** `"name"`, with any double quote escaped. */
export const ident = (name: string) => `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** A select expression; `text` is InfluxQL, `as` the column name. */
export interface Expr {
  readonly text: string;
  readonly as?: string;
}

/** `fn("field") AS "alias"` for a declared field of measurement M. */
export function agg<M extends MeasurementName>(fn: Fn, _m: M, field: FieldsOf<M> & string, as?: string): Expr {
  return { text: `${fn}(${ident(field)})`, as };
}

/** A bare field (no aggregation), for raw selects and subquery outer selects. */
export function field<M extends MeasurementName>(_m: M, name: FieldsOf<M> & string, as?: string): Expr {
  return { text: ident(name), as };
}

/** An arithmetic of expressions: `expr\`${a} / (${a} + ${b}) * 100\`` (the parts are Exprs or numbers). */
export function math(parts: TemplateStringsArray, ...values: Array<Expr | number>): Omit<Expr, 'as'> {
  let text = parts[0] ?? '';
  values.forEach((v, i) => { text += (typeof v === 'number' ? String(v) : v.text) + (parts[i + 1] ?? ''); });
  return { text };
}
export const as = (e: Omit<Expr, 'as'>, alias: string): Expr => ({ text: e.text, as: alias });

/** A column of an inner (sub)query, by the alias the inner query gave it. */
export const col = (alias: string, fn?: Fn, as?: string): Expr => ({ text: fn ? `${fn}(${ident(alias)})` : ident(alias), as });

type Op = '=' | '!=' | '=~' | '!~';
type FieldOp = '=' | '!=' | '>' | '>=' | '<' | '<=';

export class Select<M extends MeasurementName = MeasurementName> {
  private _rp: string = RP.raw;
  private readonly conds: string[] = [];
  private _time = false;
  private _groupTime: string | null = null;
  private readonly _groupTags: string[] = [];
  private _fill: string | null = null;
  private _limit: number | null = null;
  private _orderDesc = false;

  constructor(
    readonly measurement: M,
    private readonly exprs: Expr[],
    private readonly sub: Select | null = null,
  ) {}

  /** A retention policy from the schema, or a template variable such as `$rp`. */
  rp(rp: RetentionPolicyName | `$${string}`): this {
    this._rp = rp;
    return this;
  }

  /** `"tag" op value`; value is a regex (`/^$commune$/`) for =~ and !~, else a string literal. */
  whereTag(tag: TagsOf<M> & string, op: Op, value: string): this {
    const v = op === '=~' || op === '!~' ? value : `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    this.conds.push(`${ident(tag)} ${op} ${v}`);
    return this;
  }

  /**
   * The usual template-variable filter: `"tag" =~ /^$var$/` (works with multi-value and All).
   * On `group`, points written before the 2025 reform match by their `district` tag too.
   */
  whereVar(tag: TagsOf<M> & string, variable: string = tag): this {
    if (tag === 'group') {
      this.conds.push(groupCond(variable));
      return this;
    }
    return this.whereTag(tag, '=~', `/^$${variable}$/`);
  }

  whereField(f: FieldsOf<M> & string, op: FieldOp, value: number | string): this {
    this.conds.push(`${ident(f)} ${op} ${typeof value === 'number' ? value : `'${value.replace(/'/g, "\\'")}'`}`);
    return this;
  }

  /** On an outer query: a condition on an inner column. */
  whereCol(alias: string, op: FieldOp, value: number | string): this {
    this.conds.push(`${ident(alias)} ${op} ${value}`);
    return this;
  }

  timeFilter(): this {
    this._time = true;
    return this;
  }

  groupByTime(interval = '$__interval'): this {
    this._groupTime = interval;
    return this;
  }

  /** Group by tags; a legacy tag (`district`, on points written before 2025) may be named beside its successor. */
  groupBy(...tags: Array<(TagsOf<M> | (typeof LEGACY_TAGS)[number]) & string>): this {
    this._groupTags.push(...tags);
    return this;
  }

  fill(f: 'null' | 'none' | 'previous' | 'linear' | number): this {
    this._fill = String(f);
    return this;
  }

  limit(n: number): this {
    this._limit = n;
    return this;
  }

  orderDesc(): this {
    this._orderDesc = true;
    return this;
  }

  toString(): string {
    const sel = this.exprs.map((e) => (e.as ? `${e.text} AS ${ident(e.as)}` : e.text)).join(', ');
    const from = this.sub ? `(${this.sub.toString()})` : `${this._rp.startsWith('$') ? this._rp : ident(this._rp)}.${ident(MEASUREMENTS[this.measurement].name)}`;
    const where = [...this.conds.map((c) => `(${c})`), ...(this._time ? ['$timeFilter'] : [])];
    const group = [...(this._groupTime ? [`time(${this._groupTime})`] : []), ...this._groupTags.map(ident)];
    return [
      `SELECT ${sel} FROM ${from}`,
      where.length ? `WHERE ${where.join(' AND ')}` : '',
      group.length ? `GROUP BY ${group.join(', ')}` : '',
      this._fill !== null && this._groupTime ? `fill(${this._fill})` : '',
      this._orderDesc ? 'ORDER BY time DESC' : '',
      this._limit !== null ? `LIMIT ${this._limit}` : '',
    ].filter(Boolean).join(' ');
  }
}

export function select<M extends MeasurementName>(m: M, exprs: Expr[]): Select<M> {
  return new Select(m, exprs);
}

/** An outer query over a subquery (InfluxQL 1.2+): the tags stay those of the inner measurement. */
export function selectFrom<M extends MeasurementName>(inner: Select<M>, exprs: Expr[]): Select<M> {
  return new Select(inner.measurement, exprs, inner as unknown as Select);
}

/** `SHOW TAG VALUES FROM "m" WITH KEY = "tag" [WHERE ...]` for template variables. */
/** `group` or, on points written before the 2025 reform, `district` matches the variable. */
function groupCond(variable: string): string {
  const legacy: (typeof LEGACY_TAGS)[number] = 'district';
  return `(${ident('group')} =~ /^$${variable}$/ OR ${ident(legacy)} =~ /^$${variable}$/)`;
}

/** Values of a tag (`group`: of the legacy `district` tag too), filtered by earlier variables. */
export function showTagValues<M extends MeasurementName>(m: M, tag: TagsOf<M> & string, where: Array<[TagsOf<M> & string, string]> = []): string {
  const w = where.map(([t, v]) => (t === 'group' ? groupCond(v) : `${ident(t)} =~ /^$${v}$/`)).join(' AND ');
  const legacy: (typeof LEGACY_TAGS)[number] = 'district';
  const key = tag === 'group' ? `IN (${ident('group')}, ${ident(legacy)})` : `= ${ident(tag)}`;
  return `SHOW TAG VALUES FROM ${ident(MEASUREMENTS[m].name)} WITH KEY ${key}${w ? ` WHERE ${w}` : ''}`;
}

export type ResultFormat = 'time_series' | 'table' | 'logs';

/** The InfluxDB datasource's query model (raw InfluxQL mode). */
export interface InfluxQLQuery extends cog.Dataquery {
  refId: string;
  query: string;
  rawQuery: true;
  resultFormat: ResultFormat;
  alias?: string;
  hide?: boolean;
  datasource: common.DataSourceRef;
}

/** Builder of one panel target: `cog.Builder<cog.Dataquery>`. */
export class InfluxQLQueryBuilder implements cog.Builder<cog.Dataquery> {
  private _refId = 'A';
  private _format: ResultFormat = 'time_series';
  private _alias: string | undefined;
  private _datasource: common.DataSourceRef = DATASOURCE;

  constructor(private readonly _query: Select | string) {}

  refId(id: string): this {
    this._refId = id;
    return this;
  }

  format(f: ResultFormat): this {
    this._format = f;
    return this;
  }

  /** Series alias, e.g. `$tag_site` or `$col`. */
  alias(a: string): this {
    this._alias = a;
    return this;
  }

  datasource(ds: common.DataSourceRef): this {
    this._datasource = ds;
    return this;
  }

  build(): InfluxQLQuery {
    return {
      refId: this._refId,
      query: String(this._query),
      rawQuery: true,
      resultFormat: this._format,
      ...(this._alias !== undefined ? { alias: this._alias } : {}),
      datasource: this._datasource,
      _implementsDataqueryVariant() {},
    };
  }
}

export const influxql = (q: Select | string) => new InfluxQLQueryBuilder(q);
