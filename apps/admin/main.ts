import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ConnectionPill } from '../shared/connection.ts';
import { api, deviceToken } from '../shared/session.ts';
import { html } from '../shared/ui.ts';
import { type Act, AvailabilityCard, BackupsCard, DevicesCard, HubCard, SyncCard } from './cards.ts';
import { PrintersCard, usePrinting } from './printers.ts';
import { PunchesCard } from './punches.ts';
import { ServiceCard } from './service.ts';
import { AuditCard, ReportsCard, StaffCard } from './staff.ts';
import { StandaloneCardsCard } from './standalone-cards.ts';
import { useHub } from './use-hub.ts';

function App() {
  const token = deviceToken();
  if (!token) {
    return html`<main class="pair"><h1>Grow Hub admin</h1>
      <p>Open this page with the manager token the hub printed at first start:</p>
      <p><code>http://HUB:8080/admin/#token=ghd_…</code></p>
      <p class="muted">Or make one: <code>grow-hub device create --role manager --name "Office"</code></p></main>`;
  }
  return html`<${Admin} token=${token} />`;
}

/** The manager's page on the hub: status, cloud sync, devices, standalone cards to verify, printers, 86, the service (discounts, floor plan), staff and roles, the day's reports, the audit trail, backups. */
function Admin({ token }: { token: string }) {
  const hub = useHub(token);
  const printing = usePrinting();
  const [notice, setNotice] = useState<{ tone: string; text: string } | null>(null);
  const [, tick] = useState(0);
  useEffect(() => {
    const clock = setInterval(() => tick((n) => n + 1), 1_000); // "last seen … s ago" stays current
    return () => clearInterval(clock);
  }, []);
  const act: Act = async (method, path, body, success, after) => {
    try {
      const res = await api(method, path, body);
      setNotice(
        res.ok
          ? { tone: 'ok', text: success }
          : { tone: 'bad', text: res.problem?.detail ?? `failed (${res.status})` },
      );
      await after(res.ok);
    } catch {
      setNotice({ tone: 'bad', text: 'The hub did not answer.' });
    }
  };
  return html`<div class="admin">
    <header class="bar"><strong class="brand">Grow Hub admin</strong><${ConnectionPill} state=${hub.conn} /></header>
    ${notice && html`<p class="notice ${notice.tone} admin-notice" data-testid="admin-notice">${notice.text}</p>`}
    <main class="admin-grid">
      <${HubCard} status=${hub.status} disk=${hub.disk} seq=${hub.seq} sockets=${hub.sockets} />
      <${SyncCard} sync=${hub.sync} currency=${hub.menu?.currency ?? 'USD'} />
      <${DevicesCard} devices=${hub.devices} act=${act} reload=${hub.loadDevices} />
      <${StandaloneCardsCard} act=${act} version=${hub.sync?.standaloneCardsUnverified.count ?? 0} currency=${hub.menu?.currency ?? 'USD'} />
      <${PrintersCard} printing=${printing} devices=${hub.devices} act=${act} />
      <${AvailabilityCard} menu=${hub.menu} act=${act} reload=${hub.loadMenu} />
      <${ServiceCard} act=${act} currency=${hub.menu?.currency ?? 'USD'} />
      <${StaffCard} act=${act} />
      <${ReportsCard} currency=${hub.menu?.currency ?? 'USD'} />
      <${PunchesCard} act=${act} />
      <${AuditCard} />
      <${BackupsCard} backups=${hub.backups} act=${act} reload=${hub.loadBackups} />
    </main>
  </div>`;
}

render(html`<${App} />`, document.getElementById('app')!);
