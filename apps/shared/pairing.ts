import { useEffect, useState } from 'preact/hooks';
import { claimPairing, requestPairing, saveToken } from './session.ts';
import { html } from './ui.ts';

/** First run on a new tablet: name it, show the code, wait for a manager to approve it. */
export function PairScreen({ role, onPaired }: { role: 'pos' | 'kds'; onPaired: () => void }) {
  const [name, setName] = useState(role === 'pos' ? 'Till' : 'Kitchen screen');
  const [pairing, setPairing] = useState<{ pairingId: string; code: string; secret: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!pairing) return;
    const t = setInterval(async () => {
      try {
        const result = await claimPairing(pairing.pairingId, pairing.secret);
        if (result === 'waiting') return;
        clearInterval(t);
        if (result === 'expired') {
          setPairing(null);
          setError('The code expired. Ask for a new one.');
        } else {
          saveToken(result);
          onPaired();
        }
      } catch {
        // hub unreachable: keep polling
      }
    }, 2_000);
    return () => clearInterval(t);
  }, [pairing]);
  const start = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      setPairing(await requestPairing(name, role));
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return html`<main class="pair">
    <h1>Grow ${role === 'pos' ? 'POS' : 'Kitchen'}</h1>
    ${
      pairing
        ? html`<p>On the admin page, approve this device with the code</p>
          <div class="pair-code" data-testid="pair-code">${pairing.code}</div>
          <p class="muted">Waiting for approval…</p>`
        : html`<form onSubmit=${start}>
          <label>Name this device <input value=${name} onInput=${(e: Event) => setName((e.target as HTMLInputElement).value)} /></label>
          <button class="primary big" type="submit">Pair with the hub</button>
        </form>`
    }
    ${error && html`<p class="error">${error}</p>`}
  </main>`;
}
