import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApprovalInput } from '../../protocol/staff.ts';
import { api } from '../shared/session.ts';
import { html } from '../shared/ui.ts';

interface Approver {
  id: string;
  name: string;
}

interface Asking {
  why: string;
  permission: string | null;
  resolve: (a: ApprovalInput | null) => void;
}

/**
 * A manager override on this till, for one action: someone whose role holds the permission picks
 * their name and types their PIN. The PIN goes with that one command and is not kept; the hub
 * checks it (with its lockout). `ask(why, permission)` resolves with the approval, or null when
 * the cashier cancels.
 */
export function useApproval() {
  const [asking, setAsking] = useState<Asking | null>(null);
  const ask = (why: string, permission: string | null = null) =>
    new Promise<ApprovalInput | null>((resolve) => setAsking({ why, permission, resolve }));
  const done = (a: ApprovalInput | null) => {
    asking?.resolve(a);
    setAsking(null);
  };
  const dialog =
    asking && html`<${ApprovalDialog} why=${asking.why} permission=${asking.permission} onDone=${done} />`;
  return { ask, dialog };
}

function ApprovalDialog({
  why,
  permission,
  onDone,
}: {
  why: string;
  permission: string | null;
  onDone: (a: ApprovalInput | null) => void;
}) {
  const [approvers, setApprovers] = useState<Approver[] | null>(null);
  const [staffId, setStaffId] = useState<string | null>(null);
  const [pin, setPin] = useState('');
  const pinBox = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const only = permission ? `?permission=${encodeURIComponent(permission)}` : '';
    api<{ approvers: Approver[] }>('GET', `/api/v1/staff/approvers${only}`)
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
      <h2 id="approval-title">Manager override</h2>
      <p>${why}</p>
      ${approvers === null && html`<p class="muted">Loading managers…</p>`}
      ${approvers?.length === 0 && html`<p class="error">Nobody on this hub may approve this. A manager can give a role the permission in the admin page (Staff).</p>`}
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
