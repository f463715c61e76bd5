import { useEffect, useState } from 'preact/hooks';
import type { UnverifiedPayments } from '../../protocol/payments.ts';
import { html, money } from '../shared/ui.ts';
import type { Act } from './cards.ts';
import { fetchJson } from './use-hub.ts';

const stripeNote: Record<UnverifiedPayments['stripe'], string> = {
  ok: '',
  unreachable: 'Stripe cannot be reached right now, so no matches are shown; try again later.',
  not_configured: 'Stripe is not set up on this hub: verify against the terminal’s own report.',
};

/**
 * Cards taken on the standalone terminal while the reader could not reach Stripe. Each counts
 * towards its bill at the restaurant's risk until a manager says what became of it: the Stripe
 * payment it matches (same amount, same last 4, about the same time), paid out by the terminal's
 * own acquirer, or never received (the bill is due again).
 */
export function StandaloneCardsCard({
  act,
  version,
  currency,
}: {
  act: Act;
  version: number;
  currency: string;
}) {
  const [list, setList] = useState<UnverifiedPayments | null>(null);
  const [notes, setNotes] = useState<Record<string, string>>({});
  const load = async () => setList(await fetchJson<UnverifiedPayments>('/api/v1/payments/unverified'));
  useEffect(() => {
    void load();
  }, [version]);
  const verify = (id: string, body: unknown, said: string) =>
    act('POST', `/api/v1/payments/${id}/verify`, body, said, load);
  return html`<section class="card wide" data-testid="standalone-cards">
    <h2>Standalone-terminal cards to verify</h2>
    ${list && list.payments.length === 0 && html`<p class="muted" data-testid="standalone-none">None: every card is verified.</p>`}
    ${list && stripeNote[list.stripe] && html`<p class="notice warn">${stripeNote[list.stripe]}</p>`}
    <ul class="standalone">
      ${(list?.payments ?? []).map(
        ({ payment: p, candidates }) => html`<li data-payment=${p.id}>
          <p><b>${money(p.amount + p.tip, currency)}</b> · ${p.card?.brand} •••• ${p.card?.last4}
            ${p.card?.reference && html` · receipt ${p.card.reference}`} · ${new Date(p.createdAt).toLocaleString()}</p>
          ${candidates.map(
            (c) => html`<p class="candidate" data-candidate=${c.paymentIntentId}>
              ${c.likely ? html`<b>Likely:</b> ` : ''}Stripe ${money(c.amount, currency)} · ${c.card ? `${c.card.brand} •••• ${c.card.last4}` : 'card'} · ${new Date(c.created).toLocaleString()}
              <button class="primary" data-testid="match" onClick=${() => verify(p.id, { outcome: 'matched', paymentIntentId: c.paymentIntentId }, 'Matched to the Stripe payment.')}>This is it</button>
            </p>`,
          )}
          <div class="row">
            <button data-testid="settled-elsewhere" onClick=${() => verify(p.id, { outcome: 'settled_elsewhere' }, "Marked as paid out by the terminal's acquirer.")}>Paid out by the terminal's acquirer</button>
            <input placeholder="Why it never arrived" value=${notes[p.id] ?? ''} data-testid="not-received-note"
              onInput=${(e: Event) => setNotes({ ...notes, [p.id]: (e.target as HTMLInputElement).value })} />
            <button class="danger" data-testid="not-received" onClick=${() => verify(p.id, { outcome: 'not_received', note: notes[p.id] ?? '' }, 'Marked as not received: the bill is due again.')}>Not received</button>
          </div>
        </li>`,
      )}
    </ul>
  </section>`;
}
