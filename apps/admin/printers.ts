import { useEffect, useState } from 'preact/hooks';
import type { Device } from '../../protocol/devices.ts';
import type { Printer, PrintJob, StationRoute } from '../../protocol/printers.ts';
import { html } from '../shared/ui.ts';
import type { Act } from './cards.ts';
import { fetchJson } from './use-hub.ts';

const stateText: Record<string, string> = {
  unknown: 'not used yet',
  online: 'online',
  paper_out: 'out of paper',
  cover_open: 'cover open',
  not_responding: 'not responding',
  unreachable: 'unreachable',
};
const stateTone: Record<string, string> = { online: 'ok', unknown: 'warn' };
const modeText = {
  never: 'Screen only',
  always: 'Print every ticket',
  when_kds_offline: 'Print when the screen is away',
};

/**
 * Printers, kept live: their status lives in the hub's memory (what the last job or status read
 * found), so the page asks again every few seconds while it is open.
 */
export function usePrinting() {
  const [printers, setPrinters] = useState<Printer[]>([]);
  const [stations, setStations] = useState<StationRoute[]>([]);
  const [jobs, setJobs] = useState<PrintJob[]>([]);
  const [tills, setTills] = useState<Map<string, string>>(new Map());
  const load = async () => {
    const [p, s, j] = await Promise.all([
      fetchJson<{ printers: Printer[] }>('/api/v1/printers'),
      fetchJson<{ stations: StationRoute[]; tills: { deviceId: string; printerId: string }[] }>(
        '/api/v1/printing/stations',
      ),
      fetchJson<{ jobs: PrintJob[] }>('/api/v1/print-jobs?limit=12'),
    ]);
    if (p) setPrinters(p.printers);
    if (s) {
      setStations(s.stations);
      setTills(new Map(s.tills.map((t) => [t.deviceId, t.printerId])));
    }
    if (j) setJobs(j.jobs);
  };
  useEffect(() => {
    void load();
    const t = setInterval(load, 3_000);
    return () => clearInterval(t);
  }, []);
  return { printers, stations, jobs, tills, load };
}

export function PrintersCard({
  printing,
  devices,
  act,
}: {
  printing: ReturnType<typeof usePrinting>;
  devices: Device[];
  act: Act;
}) {
  const { printers, stations, jobs, load } = printing;
  const [draft, setDraft] = useState({
    name: '',
    host: '',
    port: '9100',
    paperWidth: '80',
    cashDrawer: false,
  });
  const add = (e: Event) => {
    e.preventDefault();
    void act(
      'POST',
      '/api/v1/printers',
      {
        name: draft.name,
        host: draft.host,
        port: Number(draft.port),
        paperWidth: Number(draft.paperWidth),
        cashDrawer: draft.cashDrawer,
      },
      `${draft.name} added: print a test page to check it.`,
      async () => {
        setDraft({ ...draft, name: '', host: '' });
        await load();
      },
    );
  };
  const route = (s: StationRoute, change: Partial<StationRoute>) => {
    const next = { mode: s.mode, printerId: s.printerId, backupPrinterId: s.backupPrinterId, ...change };
    void act('PUT', `/api/v1/printing/stations/${s.stationId}`, next, `${s.stationName}: saved.`, load);
  };
  const choose = (value: string | null, onPick: (id: string | null) => void, testid: string, none = 'none') =>
    html`<select value=${value ?? ''} data-testid=${testid} onChange=${(e: Event) => onPick((e.target as HTMLSelectElement).value || null)}>
      <option value="">${none}</option>
      ${printers.map((p) => html`<option value=${p.id}>${p.name}</option>`)}
    </select>`;
  const tills = devices.filter((d) => !d.revokedAt && d.role !== 'kds');
  const tillPrinter = printing.tills;
  return html`<section class="card wide" data-testid="printers">
    <h2>Printers</h2>
    <table>
      <thead><tr><th>Printer</th><th>Address</th><th>Paper</th><th>Status</th><th>Queued</th><th></th></tr></thead>
      <tbody>
        ${printers.map(
          (p) => html`<tr data-printer=${p.name}>
            <td>${p.name}${p.cashDrawer ? ' · drawer' : ''}</td><td class="mono">${p.host}:${p.port}</td><td>${p.paperWidth} mm</td>
            <td><span class="pill ${stateTone[p.status.state] ?? 'bad'}" data-testid="printer-state" data-state=${p.status.state}><span class="dot"></span>${stateText[p.status.state]}</span>
              ${p.status.detail && html` <span class="muted">${p.status.detail}</span>`}</td>
            <td>${p.status.queued}</td>
            <td class="actions">
              <button onClick=${() => act('POST', `/api/v1/printers/${p.id}/test`, undefined, `Test page sent to ${p.name}.`, load)} data-testid="test-print">Test print</button>
              <button class="danger" onClick=${() => act('DELETE', `/api/v1/printers/${p.id}`, undefined, `${p.name} removed.`, load)}>Remove</button>
            </td>
          </tr>`,
        )}
      </tbody>
    </table>
    <form class="row" onSubmit=${add} data-testid="add-printer">
      <input placeholder="Name (Grill)" value=${draft.name} onInput=${(e: Event) => setDraft({ ...draft, name: (e.target as HTMLInputElement).value })} data-testid="printer-name" />
      <input placeholder="IP address" value=${draft.host} onInput=${(e: Event) => setDraft({ ...draft, host: (e.target as HTMLInputElement).value })} data-testid="printer-host" />
      <input class="narrow" value=${draft.port} inputmode="numeric" onInput=${(e: Event) => setDraft({ ...draft, port: (e.target as HTMLInputElement).value })} data-testid="printer-port" />
      <select value=${draft.paperWidth} onChange=${(e: Event) => setDraft({ ...draft, paperWidth: (e.target as HTMLSelectElement).value })}>
        <option value="80">80 mm</option><option value="58">58 mm</option>
      </select>
      <label><input type="checkbox" checked=${draft.cashDrawer} onChange=${(e: Event) => setDraft({ ...draft, cashDrawer: (e.target as HTMLInputElement).checked })} /> cash drawer</label>
      <button type="submit" class="primary" data-testid="add-printer-submit">Add printer</button>
    </form>

    <h3>Kitchen tickets</h3>
    <table data-testid="station-routes">
      <thead><tr><th>Station</th><th>Tickets</th><th>Printer</th><th>Backup</th></tr></thead>
      <tbody>
        ${stations.map(
          (s) => html`<tr data-station=${s.stationId}>
            <td>${s.stationName}</td>
            <td><select value=${s.mode} data-testid="station-mode" onChange=${(e: Event) => route(s, { mode: (e.target as HTMLSelectElement).value as StationRoute['mode'] })}>
              ${Object.entries(modeText).map(([v, label]) => html`<option value=${v}>${label}</option>`)}
            </select></td>
            <td>${choose(s.printerId, (id) => route(s, { printerId: id }), 'station-printer')}</td>
            <td>${choose(s.backupPrinterId, (id) => route(s, { backupPrinterId: id }), 'station-backup')}</td>
          </tr>`,
        )}
      </tbody>
    </table>

    <h3>Receipt printer of each till</h3>
    <table>
      <tbody>
        ${tills.map(
          (d) =>
            html`<tr data-till=${d.name}><td>${d.name}</td><td>${choose(
              tillPrinter.get(d.id) ?? null,
              (id) =>
                act(
                  'PUT',
                  `/api/v1/devices/${d.id}/receipt-printer`,
                  { printerId: id },
                  `${d.name} prints its receipts ${id ? 'there' : 'nowhere'} now.`,
                  load,
                ),
              'till-printer',
              'choose…',
            )}</td></tr>`,
        )}
      </tbody>
    </table>

    <h3>Recent jobs</h3>
    <table data-testid="print-jobs">
      <thead><tr><th>Job</th><th>Printer</th><th>State</th><th></th></tr></thead>
      <tbody>
        ${jobs.map(
          (j) => html`<tr data-job=${j.id}>
            <td>${j.title}</td><td>${j.printerName}${j.backupFrom ? html` <span class="muted">(backup from ${j.backupFrom})</span>` : ''}</td>
            <td>${j.state}${j.state === 'queued' && j.attempts > 0 ? html` <span class="error">${j.attempts} tries: ${j.lastError}</span>` : ''}</td>
            <td class="actions">
              ${j.state !== 'queued' && html`<button onClick=${() => act('POST', `/api/v1/print-jobs/${j.id}/reprint`, undefined, 'Printing it again.', load)} data-testid="reprint">Reprint</button>`}
              ${j.state === 'queued' && html`<button onClick=${() => act('POST', `/api/v1/print-jobs/${j.id}/cancel`, undefined, 'Cancelled.', load)}>Cancel</button>`}
              ${j.state === 'queued' && choose(null, (id) => id && act('POST', `/api/v1/print-jobs/${j.id}/move`, { printerId: id }, 'Moved.', load), 'move-job', 'move to…')}
            </td>
          </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}
