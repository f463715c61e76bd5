import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApprovalInput } from '../../protocol/checks.ts';
import { api } from '../shared/session.ts';
import { html } from '../shared/ui.ts';

interface Approver {
  id: string;
  name: string;
}

/**
 * A manager's approval on this till, for one action: the manager picks their name and types their
 * PIN. The PIN goes with that one command and is not kept; the hub checks it (with its lockout).
 * `ask(why)` resolves with the approval, or null when the cashier cancels.
 */
export function useApproval() {
  const [asking, setAsking] = useState<{ why: string; resolve: (a: ApprovalInput | null) => void } | null>(
    null,
  );
  const ask = (why: string) => new Promise<ApprovalInput | null>((resolve) => setAsking({ why, resolve }));
  const done = (a: ApprovalInput | null) => {
    asking?.resolve(a);
    setAsking(null);
  };
  const dialog = asking && html`<${ApprovalDialog} why=${asking.why} onDone=${done} />`;
  return { ask, dialog };
}

function ApprovalDialog({ why, onDone }: { why: string; onDone: (a: ApprovalInput | null) => void }) {
  const [approvers, setApprovers] = useState<Approver[] | null>(null);
  const [staffId, setStaffId] = useState<string | null>(null);
  const [pin, setPin] = useState('');
  const pinBox = useRef<HTMLInputElement>(null);
  useEffect(() => {
    api<{ approvers: Approver[] }>('GET', '/api/v1/staff/approvers')
      .then((r) => {
        const list = r.ok ? r.body.approvers : [];
        setApprovers(list);
        if (list.length === 1) setStaffId(list[0]!.id);
      })
      .catch(() => setApprovers([]));
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onDone(null);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  useEffect(() => pinBox.current?.focus(), [staffId]);
  const submit = (e: Event) => {
    e.preventDefault();
    if (staffId && /^\d{4,8}$/.test(pin)) onDone({ staffId, pin });
  };
  return html`<div class="dialog-backdrop">
    <form class="dialog" role="dialog" aria-modal="true" aria-labelledby="approval-title" onSubmit=${submit} data-testid="approval">
      <h2 id="approval-title">Manager approval</h2>
      <p>${why}</p>
      ${approvers === null && html`<p class="muted">Loading managers…</p>`}
      ${approvers?.length === 0 && html`<p class="error">No manager is set up on this hub. Add one in the admin page (Staff).</p>`}
      <div class="choices" role="group" aria-label="Manager">
        ${approvers?.map(
          (a) =>
            html`<button type="button" class=${staffId === a.id ? 'opt on' : 'opt'} onClick=${() => setStaffId(a.id)}>${a.name}</button>`,
        )}
      </div>
      <label class="note-field">PIN <input ref=${pinBox} type="password" inputmode="numeric" autocomplete="off" value=${pin}
        onInput=${(e: Event) => setPin((e.target as HTMLInputElement).value.replace(/\D/g, '').slice(0, 8))} data-testid="approval-pin" /></label>
      <div class="dialog-actions">
        <button type="button" onClick=${() => onDone(null)}>Cancel</button>
        <button class="primary" type="submit" disabled=${!staffId || pin.length < 4} data-testid="approve">Approve</button>
      </div>
    </form>
  </div>`;
}
