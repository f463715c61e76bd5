import { useEffect, useRef, useState } from 'preact/hooks';
import type { Device } from '../../protocol/devices.ts';
import type { MenuView } from '../../protocol/menu.ts';
import type { ConnectionState } from '../../protocol/realtime-client.ts';
import type { SyncStatus } from '../../protocol/sync.ts';
import { currentSeq, startLive } from '../shared/connection.ts';
import { api } from '../shared/session.ts';

export interface HubStatus {
  version: string;
  uptimeSeconds: number;
  dataFile: string;
  headSeq: number;
  sockets: Record<string, number>;
  /** This box in a pair of hubs (docs/operations.md, "A standby hub"). */
  standby?: {
    epoch: number;
    box: string;
    standby: { state: string; box: string | null; behind: number; lastHeardAt: string | null };
  };
}
export type Sync = SyncStatus & { standaloneCardsUnverified: { count: number; amount: number } };
export interface Backup {
  file: string;
  bytes: number;
  at: string;
}

/** GET a JSON resource, or null when the hub refuses or does not answer (the panel keeps its last view). */
export async function fetchJson<T>(path: string): Promise<T | null> {
  try {
    const res = await api<T>('GET', path);
    return res.ok ? res.body : null;
  } catch {
    return null; // the hub is away; the connection pill says so, and the live stream refreshes later
  }
}

/**
 * Everything the admin page shows, kept live: the realtime stream (events, and `presence` when
 * devices connect or leave) triggers the reloads, instead of polling.
 */
export function useHub(token: string) {
  const [status, setStatus] = useState<HubStatus | null>(null);
  const [sync, setSync] = useState<Sync | null>(null);
  const [disk, setDisk] = useState('');
  const [devices, setDevices] = useState<Device[]>([]);
  const [menu, setMenu] = useState<MenuView | null>(null);
  const [backups, setBackups] = useState<Backup[]>([]);
  const [sockets, setSockets] = useState<Record<string, number>>({});
  const [seq, setSeq] = useState(0);
  const [conn, setConn] = useState<ConnectionState>({ status: 'connecting', attempt: 0 });
  const refreshing = useRef<number | null>(null);

  const loadStatus = async () => {
    const [s, y, r] = await Promise.all([
      fetchJson<HubStatus>('/api/v1/status'),
      fetchJson<Sync>('/api/v1/sync/status'),
      fetchJson<{ checks: { name: string; detail: string }[] }>('/ready'),
    ]);
    if (s) {
      setStatus(s);
      setSockets(s.sockets);
      setSeq(s.headSeq);
    }
    if (y) setSync(y);
    if (r) setDisk(r.checks.find((c) => c.name === 'disk')?.detail ?? '');
  };
  const loadDevices = async () =>
    setDevices((await fetchJson<{ devices: Device[] }>('/api/v1/devices'))?.devices ?? []);
  const loadMenu = async () => setMenu(await fetchJson<MenuView>('/api/v1/menu'));
  const loadBackups = async () =>
    setBackups((await fetchJson<{ backups: Backup[] }>('/api/v1/backups'))?.backups ?? []);
  /** Events arrive in bursts; refresh the derived panels once per burst. */
  const soon = () => {
    if (refreshing.current !== null) return;
    refreshing.current = window.setTimeout(() => {
      refreshing.current = null;
      void loadStatus();
    }, 500);
  };

  useEffect(() => {
    void loadStatus();
    void loadDevices();
    void loadMenu();
    void loadBackups();
    let live: ReturnType<typeof startLive> | null = null;
    let cancelled = false;
    currentSeq().then((since) => {
      if (cancelled) return;
      live = startLive(token, {
        since,
        onEvent: (e) => {
          setSeq(e.seq);
          if (e.type === 'menu.applied' || e.type === 'item.availability_changed') void loadMenu();
          soon();
        },
        onControl: (m) => {
          if (m.type === 'presence') {
            setSockets(m.sockets as Record<string, number>);
            void loadDevices();
          }
        },
        onState: (s) => {
          setConn(s);
          if (s.status === 'live') void loadStatus();
        },
      });
    });
    return () => {
      cancelled = true;
      live?.stop();
    };
  }, []);

  return {
    status,
    sync,
    disk,
    devices,
    menu,
    backups,
    sockets,
    seq,
    conn,
    loadDevices,
    loadMenu,
    loadBackups,
  };
}
