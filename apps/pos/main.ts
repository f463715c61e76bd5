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
