import { render } from 'preact';
import { useState } from 'preact/hooks';
import { PairScreen } from '../shared/pairing.ts';
import { deviceToken, forgetToken } from '../shared/session.ts';
import { html } from '../shared/ui.ts';
import { Till } from './till.ts';

/** The POS page: pair first (once), then the till. */
function App() {
  const [token, setToken] = useState(deviceToken());
  if (!token) return html`<${PairScreen} role="pos" onPaired=${() => setToken(deviceToken())} />`;
  const pairAgain = () => {
    forgetToken();
    setToken(null);
  };
  return html`<${Till} token=${token} onUnpaired=${pairAgain} />`;
}

render(html`<${App} />`, document.getElementById('app')!);

// The shell offline: a reload while the hub is away still opens the till (public/pos/sw.js).
// Browsers allow a service worker only on HTTPS or localhost: on the LAN, run the hub with TLS.
if ('serviceWorker' in navigator) {
  navigator.serviceWorker
    .register('/pos/sw.js', { scope: '/pos/' })
    .catch((err) => console.warn('the POS will not open offline after a reload', err));
}
