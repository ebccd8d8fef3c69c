/**
 * The incident runbook page: the incident's facts, the acknowledge form, the runbook with its
 * steps as checkboxes in ONE form, and the outcome form. No JavaScript: every action is a POST
 * that redirects back (303). The same page serves a signed-in user (`/incidents/:id`, forms carry
 * the CSRF token) and whoever opened a notice's signed link (`/s/:token`, the token authorises
 * that incident only; forms ask for a name instead).
 */
import type { Incident, IncidentOutcome, RunbookStepRecord, RunbookView } from '../api/deps.js';
import { can } from '../api/auth/scope.js';
import { renderMarkdown } from './markdown.js';
import { html, raw, type Safe } from './html.js';
import { actorLabel, kindLabel, t } from './i18n.js';
import { badge, csrfField, fmtDetail, fmtTime, layout, type PageCtx } from './layout.js';
import { causeText } from './pages.js';
import { one } from './form-errors.js';

export interface IncidentPageData {
  incident: Incident;
  steps: RunbookStepRecord[];
  history: RunbookStepRecord[];
  runbook: RunbookView | null;
  outcome: IncidentOutcome | null;
  /** null while open; else the end of the grace period for acknowledging, steps and outcome. */
  editable_until: number | null;
  siteName: string | null;
}

export interface IncidentPageMode {
  /** Where the forms post: `/incidents/17` or `/s/<token>`. */
  base: string;
  /** Opened through a signed link (expiring at this time): no CSRF field, a name field instead. */
  link: { expires_at: number; name: string | null } | null;
}

/** A form that was refused: which one, what was wrong (already in the page's language), what was typed. */
export interface IncidentFormState {
  form: 'ack' | 'steps' | 'outcome';
  message: string;
  values: Record<string, string | string[]>;
}

export function incidentPage(ctx: PageCtx, d: IncidentPageData, mode: IncidentPageMode, posted: IncidentFormState | null = null): string {
  const L = ctx.lang;
  // What the refused form carried goes back into it; the other forms show what is recorded.
  const typed = (form: IncidentFormState['form'], k: string): string | undefined => (posted?.form === form ? one(posted.values, k) : undefined);
  const postedTicks = posted?.form === 'steps' ? new Set([posted.values.done ?? []].flat()) : null;
  const problemAt = (form: IncidentFormState['form']) => (posted?.form === form ? html`<p class="banner err" role="alert">${posted.message} ${t(L, 'form_kept')}</p>` : '');
  const i = d.incident;
  const user = ctx.user;
  const open = d.editable_until === null || ctx.now <= d.editable_until;
  // A link may do what a trainee may do, for its incident; a user what its role allows.
  const mayAck = mode.link !== null || (user !== null && can(user, 'acknowledge'));
  const mayWork = mode.link !== null || (user !== null && can(user, 'runbook'));
  const canAck = mayAck && open && i.acknowledged_at === null;
  const canStep = mayWork && open;
  // A name typed into any form goes into every form's name field (as the cookie does once one is saved).
  const typedName = posted ? one(posted.values, 'name') : undefined;
  const auth = mode.link ? nameField(ctx, typedName ?? mode.link.name) : csrfField(ctx);
  const byStep = new Map(d.steps.map((s) => [s.step, s]));

  const facts = html`<div class="card"><p>${i.resolved_at === null ? badge(L, i.state) : html`<strong>${t(L, 'resolved')}</strong> ${fmtTime(i.resolved_at, ctx)}`}
${d.siteName ? (mode.link ? html` <strong>${d.siteName}</strong>` : html` <a href="/sites/${encodeURIComponent(i.site_id ?? '')}">${d.siteName}</a>`) : ''}</p>
<dl><dt>${t(L, 'commune')}</dt><dd>${[i.commune, i.group, i.province].filter(Boolean).join(', ')}</dd>
<dt>${t(L, 'since_when')}</dt><dd>${fmtTime(i.opened_at, ctx, true)}</dd>
<dt>${t(L, 'cause_inferred')}</dt><dd>${causeText(L, i.cause)}</dd>
<dt>${t(L, 'detail')}</dt><dd class="muted">${fmtDetail(i.detail, L)}</dd>
${i.affected.length ? html`<dt>${t(L, 'affected')}</dt><dd>${i.affected.join(', ')}</dd>` : ''}</dl></div>`;

  const notes = html`${mode.link ? html`<p class="muted">${t(L, 'link_note', { time: fmtTime(mode.link.expires_at, ctx, true) })}</p>` : ''}
${d.editable_until !== null ? html`<p class="banner">${open ? t(L, 'editable_until', { time: fmtTime(d.editable_until, ctx, true) }) : t(L, 'closed_for_edits')}</p>` : ''}`;

  const ack = i.acknowledged_at !== null
    ? html`<p id="ack" class="card">${t(L, 'acknowledged_by', { name: actorLabel(L, i.acknowledged_by ?? ''), time: fmtTime(i.acknowledged_at, ctx) })}${i.ack_note ? html`: <q>${i.ack_note}</q>` : ''}</p>`
    : canAck
      ? html`<form id="ack" method="post" action="${mode.base}/ack" class="card"><h2>${t(L, 'ack_title')}</h2>${problemAt('ack')}<p class="muted">${t(L, 'ack_hint')}</p>${auth}
<label for="note">${t(L, 'note')}</label><textarea id="note" name="note" rows="2" maxlength="2000">${typed('ack', 'note') ?? ''}</textarea><button class="primary" type="submit">${t(L, 'acknowledge')}</button></form>`
      : html`<p id="ack" class="muted">${t(L, 'not_acknowledged')}</p>`;

  const book = d.runbook;
  const stepItems = book
    ? book.steps.map((text, idx) => {
        const n = idx + 1;
        const rec = byStep.get(n);
        const done = rec?.done === true;
        const ticked = postedTicks ? postedTicks.has(String(n)) : done;
        const who = rec
          ? html`<div class="muted">${done ? t(L, 'step_done_by', { name: actorLabel(L, rec.by), time: fmtTime(rec.at, ctx) }) : `${actorLabel(L, rec.by)} · ${fmtTime(rec.at, ctx)} (${t(L, 'mark_undone')})`}${rec.note ? html`: <q>${rec.note}</q>` : ''}</div>`
          : '';
        const box = html`<input type="checkbox" name="done" value="${n}"${raw(ticked ? ' checked' : '')}${raw(canStep ? '' : ' disabled')}>`;
        return html`<li class="${done ? 'done' : ''}" id="step-${n}"><label>${box}<span>${raw(renderMarkdown(text).replace(/^<p>|<\/p>$/g, ''))}</span></label>${who}
${canStep ? html`<div class="row"><input type="text" name="note_${n}" maxlength="2000" value="${typed('steps', `note_${n}`) ?? ''}" placeholder="${t(L, 'note')}" aria-label="${t(L, 'note')} ${n}"><button type="submit" name="at" value="${n}">${t(L, 'steps_save')}</button></div>` : ''}</li>`;
      })
    : [];
  const checklist = book
    ? html`<h2>${t(L, 'runbook')}: ${book.title}</h2>
${book.sections.map((s) => html`<h3>${s.heading}</h3>${raw(renderMarkdown(s.body))}`)}
${canStep
    ? html`<form id="steps" method="post" action="${mode.base}/steps">${problemAt('steps')}<p class="muted">${t(L, 'steps_hint')}</p>${auth}
<ol class="steps">${stepItems}</ol><p class="save"><button class="primary" type="submit">${t(L, 'steps_save')}</button></p></form>`
    : html`<ol id="steps" class="steps">${stepItems}</ol>`}
${(book.after ?? []).map((s) => html`<h3>${s.heading}</h3>${raw(renderMarkdown(s.body))}`)}`
    : html`<p>${t(L, 'no_runbook')}</p>`;

  const o = d.outcome;
  const shown = o
    ? html`<dl class="card outcome"><dt>${t(L, 'outcome_cause_found')}</dt><dd>${o.cause_found}</dd><dt>${t(L, 'outcome_actions')}</dt><dd>${o.actions}</dd>
${o.parts ? html`<dt>${t(L, 'outcome_parts')}</dt><dd>${o.parts}</dd>` : ''}<dt></dt><dd class="muted">${t(L, 'outcome_by', { name: actorLabel(L, o.by), time: fmtTime(o.at, ctx) })}</dd></dl>`
    : html`<p class="muted">${t(L, 'outcome_none')}</p>`;
  const outcomeForm = canStep
    ? html`<form method="post" action="${mode.base}/outcome" class="card">${problemAt('outcome')}<p class="muted">${t(L, 'outcome_hint')}</p>${auth}
<label for="oc">${t(L, 'outcome_cause_found')}</label><textarea id="oc" name="cause_found" rows="2" maxlength="2000" required>${typed('outcome', 'cause_found') ?? o?.cause_found ?? ''}</textarea>
<label for="oa">${t(L, 'outcome_actions')}</label><textarea id="oa" name="actions" rows="3" maxlength="4000" required>${typed('outcome', 'actions') ?? o?.actions ?? ''}</textarea>
<label for="op">${t(L, 'outcome_parts')}</label><input id="op" type="text" name="parts" maxlength="1000" value="${typed('outcome', 'parts') ?? o?.parts ?? ''}">
<button class="primary" type="submit">${t(L, 'outcome_save')}</button></form>`
    : '';
  const outcome = html`<section id="outcome"><h2>${t(L, 'outcome')}</h2>${shown}${outcomeForm}</section>`;

  const record = d.history.length
    ? html`<details class="card"><summary>${t(L, 'step_history', { n: d.history.length })}</summary><ol>${d.history.map(
        (r) => html`<li>${fmtTime(r.at, ctx)} · ${actorLabel(L, r.by)} · ${t(L, 'step_n', { n: r.step })} ${r.done ? '☑' : '☐'}${r.note ? html`: <q>${r.note}</q>` : ''}</li>`,
      )}</ol></details>`
    : '';
  const readOnly = !mode.link && user !== null && !mayWork ? html`<p class="muted">${t(L, 'not_allowed')}</p>` : '';
  // On a phone the refused form is far down the page: say it at the top, with the way there.
  const summary = posted ? html`<p class="banner err" role="alert">${posted.message} <a href="#${posted.form}">${t(L, 'form_go')}</a></p>` : '';
  const body: Safe = html`<h1>#${i.id} ${kindLabel(L, i.kind)}</h1>
${summary}${facts}${notes}${ack}${readOnly}${checklist}${outcome}${record}`;
  return layout(ctx, `#${i.id} ${kindLabel(L, i.kind)}`, body);
}

function nameField(ctx: PageCtx, name: string | null): Safe {
  return html`<label>${t(ctx.lang, 'your_name')}<input type="text" name="name" maxlength="100" autocomplete="name" value="${name ?? ''}"></label>`;
}

/** A runbook on its own (old notices linked `/runbooks/<lang>/<kind>`): no incident, read-only. */
export function runbookPage(ctx: PageCtx, book: RunbookView): string {
  const L = ctx.lang;
  return layout(
    ctx,
    book.title,
    html`<h1>${book.title}</h1><p class="banner">${t(L, 'runbook_generic')}</p>
${book.sections.map((s) => html`<h2>${s.heading}</h2>${raw(renderMarkdown(s.body))}`)}
<ol class="steps">${book.steps.map((text) => html`<li>${raw(renderMarkdown(text).replace(/^<p>|<\/p>$/g, ''))}</li>`)}</ol>
${(book.after ?? []).map((s) => html`<h2>${s.heading}</h2>${raw(renderMarkdown(s.body))}`)}`,
  );
}

/** The page a bad or expired link opens (never which incident it named). */
export function linkErrorPage(ctx: PageCtx, expired: boolean): string {
  const L = ctx.lang;
  return layout(
    ctx,
    t(L, 'error'),
    html`<h1>${t(L, 'error')} ${expired ? 410 : 404}</h1><p class="banner err">${t(L, expired ? 'link_expired' : 'link_invalid')}</p><p><a href="/login">${t(L, 'sign_in_link')}</a></p>`,
  );
}

/** An action refused for a reason the reader should understand (in their language), with the way back. */
export function refusedPage(ctx: PageCtx, message: string, back: string): string {
  const L = ctx.lang;
  return layout(ctx, t(L, 'error'), html`<h1>${t(L, 'error')} 409</h1><p class="banner err">${message}</p><p><a href="${back}">${t(L, 'open_in_app')}</a></p>`);
}
