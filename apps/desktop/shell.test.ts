import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../hub/config.ts';
import { Hub } from '../../hub/hub.ts';
import { tempDir } from '../../test/support/hub.ts';
import {
  type ElectronApi,
  isHubUrl,
  type MenuItem,
  runDesktop,
  trayState,
  type WindowOptions,
} from './shell.ts';

/** Electron's API, recorded: the shell is tested against it without the Electron binary. */
function fakeElectron(options: { locked?: boolean; userData: string }) {
  const listeners = new Map<string, ((...args: any[]) => void)[]>();
  const calls = {
    quit: 0,
    exit: [] as number[],
    opened: [] as string[],
    loginItem: null as null | boolean,
    loaded: [] as string[],
    menu: [] as MenuItem[],
    tooltips: [] as string[],
  };
  let windowOptions: WindowOptions | null = null;
  let navigate: ((e: { preventDefault(): void }, url: string) => void) | null = null;
  let openHandler: ((d: { url: string }) => { action: string }) | null = null;
  const electron: ElectronApi = {
    app: {
      requestSingleInstanceLock: () => options.locked ?? true,
      whenReady: async () => {},
      getPath: () => options.userData,
      setLoginItemSettings: (s) => {
        calls.loginItem = s.openAtLogin;
      },
      on: (event, listener) => listeners.set(event, [...(listeners.get(event) ?? []), listener]),
      quit: () => {
        calls.quit++;
      },
      exit: (code) => calls.exit.push(code),
    },
    BrowserWindow: class {
      webContents = {
        on: (_e: 'will-navigate', l: typeof navigate) => {
          navigate = l;
        },
        setWindowOpenHandler: (h: typeof openHandler) => {
          openHandler = h;
        },
      };
      constructor(o: WindowOptions) {
        windowOptions = o;
      }
      async loadURL(url: string) {
        calls.loaded.push(url);
      }
      show() {}
      focus() {}
      isMinimized() {
        return false;
      }
      restore() {}
    } as never,
    Tray: class {
      setToolTip(t: string) {
        calls.tooltips.push(t);
      }
      setImage() {}
      setContextMenu() {}
    } as never,
    Menu: {
      buildFromTemplate: (t) => {
        calls.menu = t;
        return t;
      },
    },
    nativeImage: { createFromDataURL: (u) => u },
    shell: {
      openExternal: async (url) => {
        calls.opened.push(url);
      },
    },
  };
  const emit = (event: string, ...args: unknown[]) => {
    for (const l of listeners.get(event) ?? []) l(...args);
  };
  return {
    electron,
    calls,
    emit,
    window: () => windowOptions,
    navigate: () => navigate!,
    openHandler: () => openHandler!,
  };
}

describe('desktop shell', () => {
  it('quits at once when another instance holds the lock', async () => {
    const fake = fakeElectron({ locked: false, userData: '/nowhere' });
    const started = await runDesktop(fake.electron, {
      preloadPath: 'p.cjs',
      log: () => {},
      startHub: () => Promise.reject(new Error('must not start')),
    });
    expect(started).toBe(false);
    expect(fake.calls.quit).toBe(1);
  });

  it('runs the real hub, opens a hardened window on /admin, keeps navigation on the hub, and stops the hub gracefully on quit', async () => {
    const { dir, remove } = tempDir();
    const fake = fakeElectron({ userData: dir });
    let hub: Hub | null = null;
    try {
      const started = await runDesktop(fake.electron, {
        preloadPath: '/app/preload.cjs',
        log: () => {},
        trayRefreshMs: 60_000,
        startHub: async (dataDir) => {
          hub = new Hub(parseConfig({ dataDir, port: 0, host: '127.0.0.1', logLevel: 'silent', demo: true }));
          await hub.loadDemoMenuIfEmpty();
          const token = (await hub.devices.create('desktop', 'manager')).token;
          const { port } = await hub.listen();
          return {
            origin: `http://127.0.0.1:${port}`,
            lanOrigin: `http://127.0.0.1:${port}`,
            managerToken: token,
            status: () => ({
              syncState: 'not_configured',
              syncPending: 0,
              sockets: hub!.gateway.countsByRole(),
            }),
            stop: () => hub!.stop(),
          };
        },
      });
      expect(started).toBe(true);
      expect(fake.calls.loginItem).toBe(true);
      expect(fake.window()!.webPreferences).toEqual({
        contextIsolation: true,
        nodeIntegration: false,
        sandbox: true,
        webSecurity: true,
        preload: '/app/preload.cjs',
      });
      const origin = new URL(fake.calls.loaded[0]!).origin;
      expect(fake.calls.loaded[0]).toMatch(/\/admin\/#token=ghd_/);
      expect((await fetch(`${origin}/health`)).status).toBe(200);

      let prevented = false;
      fake.navigate()({ preventDefault: () => (prevented = true) }, 'https://evil.example/phish');
      expect(prevented).toBe(true);
      expect(fake.calls.opened).toContain('https://evil.example/phish');
      prevented = false;
      fake.navigate()({ preventDefault: () => (prevented = true) }, `${origin}/kds/`);
      expect(prevented).toBe(false);
      expect(fake.openHandler()({ url: `${origin}/pos/` })).toEqual({ action: 'deny' });
      expect(fake.calls.menu.map((m) => m.label).filter(Boolean)).toEqual([
        'Open admin',
        'Open POS in browser',
        'Open KDS in browser',
        'Quit Grow Hub',
      ]);
      expect(fake.calls.tooltips.at(-1)).toMatch(/no tills or kitchen screens/);

      let quitPrevented = false;
      fake.emit('before-quit', { preventDefault: () => (quitPrevented = true) });
      expect(quitPrevented).toBe(true);
      await expect.poll(() => fake.calls.exit).toEqual([0]);
      const wal = join(dir, 'hub.db-wal');
      expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0); // checkpointed and closed
    } finally {
      remove();
    }
  });

  it('colours the tray by what matters to the restaurant', () => {
    expect(trayState({ syncState: 'idle', syncPending: 0, sockets: { pos: 2, kds: 1 } }).colour).toBe(
      'green',
    );
    expect(trayState({ syncState: 'offline', syncPending: 40, sockets: { pos: 2 } })).toMatchObject({
      colour: 'amber',
      tooltip: expect.stringContaining('40 events kept'),
    });
    expect(trayState({ syncState: 'idle', syncPending: 0, sockets: {} }).colour).toBe('red');
    expect(isHubUrl('http://127.0.0.1:8080/admin/', 'http://127.0.0.1:8080')).toBe(true);
    expect(isHubUrl('not a url', 'http://127.0.0.1:8080')).toBe(false);
  });
});
