import { useEffect, useRef, useState } from 'preact/hooks';
import type { StaffSession } from '../../protocol/staff.ts';
import { api, HubUnreachable, setStaffSession, signedOutEvent, staffSession } from '../shared/session.ts';
import { html } from '../shared/ui.ts';

interface Tile {
  id: string;
  name: string;
  roleId: string;
}

/** Who is signed in on this till, as the hub answered the sign-in. */
export interface OnDuty {
  id: string;
  name: string;
  roleId: string;
  permissions: string[];
}

/**
 * Staff sign-in on a shared till (docs/staff.md): once staff are set up on the hub, the till
 * opens on a PIN pad, locks again after the idle time the manager set, and switches between
 * staff in two taps. With no staff set up yet the till works without sign-in.
 */
export function useStaff() {
  const [tiles, setTiles] = useState<Tile[] | null>(null);
  const [me, setMe] = useState<OnDuty | null>(null);
  const [idleMinutes, setIdleMinutes] = useState(5);
  const [lockedWhy, setLockedWhy] = useState<string | null>(null);
  const lastTouch = useRef(Date.now());

  // Asked without a session (a stale one must not hide the pad), and again at each lock, so
  // someone added since the page opened has a tile.
  const loadTiles = () =>
    api<{ staff: Tile[] }>('GET', '/api/v1/staff/tiles', undefined, undefined, null)
      .then((r) => setTiles(r.ok ? r.body.staff : []))
      .catch(() => setTiles((known) => known ?? []));
  const lock = (why: string | null = null) => {
    // The session stays valid on the hub: commands queued under it still go through.
    setStaffSession(null);
    setMe(null);
    setLockedWhy(why);
    void loadTiles();
  };

  useEffect(() => {
    void loadTiles();
    if (staffSession()) {
      api<{ staff: Tile | null; idleMinutes: number }>('GET', '/api/v1/staff/me')
        .then(async (r) => {
          if (!r.ok || !r.body.staff) return lock();
          setIdleMinutes(r.body.idleMinutes);
          const roles = await api<{ roles: { id: string; permissions: string[] }[] }>('GET', '/api/v1/roles');
          const permissions = roles.body.roles?.find((x) => x.id === r.body.staff!.roleId)?.permissions ?? [];
          setMe({ ...r.body.staff, permissions });
        })
        .catch(() => undefined);
    }
    const touched = () => {
      lastTouch.current = Date.now();
    };
    const signedOut = () => lock('You were signed out on the hub: enter your PIN to sign in again.');
    window.addEventListener('pointerdown', touched, true);
    window.addEventListener('keydown', touched, true);
    window.addEventListener(signedOutEvent, signedOut);
    return () => {
      window.removeEventListener('pointerdown', touched, true);
      window.removeEventListener('keydown', touched, true);
      window.removeEventListener(signedOutEvent, signedOut);
    };
  }, []);

  useEffect(() => {
    if (!me) return;
    const t = setInterval(() => {
      if (Date.now() - lastTouch.current > idleMinutes * 60_000)
        lock(`Locked after ${idleMinutes} minute${idleMinutes === 1 ? '' : 's'} without a touch.`);
    }, 5_000);
    return () => clearInterval(t);
  }, [me, idleMinutes]);

  const signedIn = (s: StaffSession) => {
    setStaffSession(s.session);
    setIdleMinutes(s.idleMinutes);
    lastTouch.current = Date.now();
    setLockedWhy(null);
    setMe({ id: s.staff.id, name: s.staff.name, roleId: s.role.id, permissions: s.role.permissions });
  };
  const signOut = async () => {
    await api('POST', '/api/v1/staff/sign-out').catch(() => undefined);
    lock();
  };
  // Staff set up on the hub: nobody uses the till without signing in.
  const required = tiles !== null && tiles.length > 0;
  const gate =
    required && !me ? html`<${PinPad} tiles=${tiles} why=${lockedWhy} onSignedIn=${signedIn} />` : null;
  return { me, required, gate, lock, signOut, loading: tiles === null };
}

function PinPad({
  tiles,
  why,
  onSignedIn,
}: {
  tiles: Tile[];
  why: string | null;
  onSignedIn: (s: StaffSession) => void;
}) {
  const [who, setWho] = useState<Tile | null>(tiles.length === 1 ? tiles[0]! : null);
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e?: Event) => {
    e?.preventDefault();
    if (!who || pin.length < 4) return;
    setBusy(true);
    setError(null);
    try {
      const res = await api<StaffSession>('POST', '/api/v1/staff/sign-in', { staffId: who.id, pin });
      if (res.ok) onSignedIn(res.body);
      else setError(res.problem?.detail ?? 'The hub did not sign you in; try again.');
    } catch (err) {
      setError(
        err instanceof HubUnreachable
          ? 'The hub is unreachable, so PINs cannot be checked: wait for it, or ask the manager.'
          : String(err),
      );
    } finally {
      setPin('');
      setBusy(false);
    }
  };
  const press = (d: string) => setPin((p) => (p.length < 6 ? p + d : p));
  return html`<main class="signin" data-testid="sign-in">
    <h1>Who is using this till?</h1>
    ${why && html`<p class="notice warn" data-testid="locked">${why}</p>`}
    <div class="choices tiles" role="group" aria-label="Staff">
      ${tiles.map(
        (t) =>
          html`<button class=${who?.id === t.id ? 'opt on' : 'opt'} onClick=${() => {
            setWho(t);
            setPin('');
            setError(null);
          }} data-staff=${t.name}>${t.name}</button>`,
      )}
    </div>
    ${
      who &&
      html`<form class="pinpad" onSubmit=${submit} aria-label=${`PIN for ${who.name}`}>
        <input type="password" inputmode="numeric" autocomplete="off" aria-label="PIN" value=${pin} autofocus
          onInput=${(e: Event) => setPin((e.target as HTMLInputElement).value.replace(/\D/g, '').slice(0, 6))} data-testid="pin" />
        <div class="keys">
          ${['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => html`<button type="button" onClick=${() => press(d)}>${d}</button>`)}
          <button type="button" onClick=${() => setPin('')} aria-label="Clear">C</button>
          <button type="button" onClick=${() => press('0')}>0</button>
          <button type="submit" class="primary" disabled=${busy || pin.length < 4} data-testid="pin-ok">OK</button>
        </div>
      </form>`
    }
    ${error && html`<p class="notice bad" data-testid="pin-error">${error}</p>`}
  </main>`;
}
