/**
 * The desktop hub: Electron's main process, kept thin over the same hub code. Everything that can
 * be decided without a window (single instance, window hardening, navigation, tray state, start
 * and graceful quit) lives here with Electron's API injected, so it is tested without the binary.
 */

/** The slice of Electron's API the shell uses (a structural subset of `electron`). */
export interface ElectronApi {
  app: {
    requestSingleInstanceLock(): boolean;
    whenReady(): Promise<unknown>;
    getPath(name: 'userData'): string;
    setLoginItemSettings(settings: { openAtLogin: boolean }): void;
    // biome-ignore lint/suspicious/noExplicitAny: Electron's own signature: each event passes its own arguments.
    on(event: string, listener: (...args: any[]) => void): void;
    quit(): void;
    exit(code: number): void;
  };
  BrowserWindow: new (options: WindowOptions) => WindowLike;
  Tray: new (image: unknown) => TrayLike;
  Menu: { buildFromTemplate(template: MenuItem[]): unknown };
  nativeImage: { createFromDataURL(url: string): unknown };
  shell: { openExternal(url: string): Promise<void> };
}

export interface WindowLike {
  loadURL(url: string): Promise<void>;
  show(): void;
  focus(): void;
  isMinimized(): boolean;
  restore(): void;
  webContents: {
    on(event: 'will-navigate', listener: (event: { preventDefault(): void }, url: string) => void): void;
    setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' | 'allow' }): void;
  };
}

export interface TrayLike {
  setToolTip(text: string): void;
  setImage(image: unknown): void;
  setContextMenu(menu: unknown): void;
}

export interface MenuItem {
  label?: string;
  type?: 'separator';
  click?: () => void;
}

export interface WindowOptions {
  width: number;
  height: number;
  title: string;
  show: boolean;
  webPreferences: {
    contextIsolation: boolean;
    nodeIntegration: boolean;
    sandbox: boolean;
    webSecurity: boolean;
    preload: string;
  };
}

export interface RunningHub {
  /** http://127.0.0.1:PORT */
  origin: string;
  /** LAN addresses for POS and KDS links. */
  lanOrigin: string;
  managerToken: string;
  status(): { syncState: string; syncPending: number; sockets: Record<string, number> };
  stop(): Promise<void>;
}

export interface DesktopDeps {
  startHub(dataDir: string): Promise<RunningHub>;
  preloadPath: string;
  log: (message: string) => void;
  /** How often the tray refreshes its colour. */
  trayRefreshMs?: number;
}

/** Hardened window: no Node in the page, isolated preload, sandboxed renderer. */
function windowOptions(preload: string): WindowOptions {
  return {
    width: 1280,
    height: 860,
    title: 'Grow Hub',
    show: false,
    webPreferences: {
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true,
      preload,
    },
  };
}

/** The admin window may only show the hub's own pages; anything else opens in the browser. */
export function isHubUrl(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false; // not a URL: never the hub's
  }
}

export type TrayColour = 'green' | 'amber' | 'red';

/** Green: all synced or syncing; amber: cloud unreachable but the restaurant is fine; red: no devices at all. */
export function trayState(s: ReturnType<RunningHub['status']>): { colour: TrayColour; tooltip: string } {
  const devices = (s.sockets.pos ?? 0) + (s.sockets.kds ?? 0);
  if (s.syncState === 'offline' || s.syncState === 'backing_off') {
    return {
      colour: 'amber',
      tooltip: `Grow Hub: cloud unreachable, ${s.syncPending} events kept; ${devices} devices connected`,
    };
  }
  if (devices === 0)
    return { colour: 'red', tooltip: 'Grow Hub: running, but no tills or kitchen screens are connected' };
  return {
    colour: 'green',
    tooltip: `Grow Hub: ${devices} devices connected${s.syncState === 'not_configured' ? '' : `, sync ${s.syncState}`}`,
  };
}

const dot = (colour: TrayColour) => {
  const fill = { green: '#1f7a4d', amber: '#c98a0b', red: '#c2372b' }[colour];
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><circle cx="8" cy="8" r="7" fill="${fill}"/></svg>`;
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
};

/**
 * Start the desktop hub: one instance only, the hub in-process on the app's data folder, a window
 * on /admin, a tray with status, start at login, and a graceful hub shutdown on quit.
 * Returns false when another instance already runs (this one then quits).
 */
export async function runDesktop(electron: ElectronApi, deps: DesktopDeps): Promise<boolean> {
  const { app } = electron;
  if (!app.requestSingleInstanceLock()) {
    deps.log('Grow Hub is already running; focusing it instead.');
    app.quit();
    return false;
  }
  let window: WindowLike | null = null;
  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  await app.whenReady();
  app.setLoginItemSettings({ openAtLogin: true });
  const hub = await deps.startHub(app.getPath('userData'));

  let stopping = false;
  app.on('before-quit', (event: { preventDefault(): void }) => {
    if (stopping) return;
    stopping = true;
    event.preventDefault();
    deps.log('stopping the hub gracefully…');
    hub.stop().then(
      () => app.exit(0),
      (err) => {
        deps.log(`hub did not stop cleanly: ${(err as Error).message}`);
        app.exit(1);
      },
    );
  });
  // Closing the window keeps the hub serving the restaurant; quit from the tray.
  app.on('window-all-closed', () => {});

  window = new electron.BrowserWindow(windowOptions(deps.preloadPath));
  const win = window;
  win.webContents.on('will-navigate', (event, url) => {
    if (!isHubUrl(url, hub.origin)) {
      event.preventDefault();
      void electron.shell.openExternal(url);
    }
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (!isHubUrl(url, hub.origin)) void electron.shell.openExternal(url);
    return { action: 'deny' };
  });
  await win.loadURL(`${hub.origin}/admin/#token=${hub.managerToken}`);
  win.show();

  const tray = new electron.Tray(electron.nativeImage.createFromDataURL(dot('green')));
  tray.setContextMenu(
    electron.Menu.buildFromTemplate([
      { label: 'Open admin', click: () => win.show() },
      {
        label: 'Open POS in browser',
        click: () => void electron.shell.openExternal(`${hub.lanOrigin}/pos/`),
      },
      {
        label: 'Open KDS in browser',
        click: () => void electron.shell.openExternal(`${hub.lanOrigin}/kds/`),
      },
      { type: 'separator' },
      { label: 'Quit Grow Hub', click: () => app.quit() },
    ]),
  );
  const refresh = () => {
    const state = trayState(hub.status());
    tray.setImage(electron.nativeImage.createFromDataURL(dot(state.colour)));
    tray.setToolTip(state.tooltip);
  };
  refresh();
  setInterval(refresh, deps.trayRefreshMs ?? 5_000).unref();
  return true;
}
