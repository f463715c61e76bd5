/**
 * Electron entry point (built by electron-builder; see electron-builder.yml). It wires the real
 * `electron` module and the real hub into shell.ts and does nothing else.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../hub/config.ts';
import { Hub } from '../../hub/hub.ts';
import { type ElectronApi, runDesktop } from './shell.ts';

const electron = (await import('electron' as string)) as unknown as ElectronApi;
// Packaged: models/ and the built web apps ship as extra resources beside the app archive.
const resources = (process as { resourcesPath?: string }).resourcesPath;
if (resources && existsSync(join(resources, 'models')))
  process.env.GROW_MODELS_DIR ??= join(resources, 'models');
const port = Number(process.env.GROW_PORT ?? 8080);

await runDesktop(electron, {
  preloadPath: join(import.meta.dirname, 'preload.cjs'),
  log: (m) => console.log(m),
  startHub: async (dataDir) => {
    const config = loadConfig({
      dataDir: join(dataDir, 'hub'),
      port,
      demo: !existsSync(join(dataDir, 'hub', 'hub.db')),
    });
    const hub = new Hub(config);
    if (config.demo) await hub.loadDemoMenuIfEmpty();
    // The desktop app signs in to its own admin page with a manager token kept beside the data.
    const tokenFile = join(dataDir, 'desktop-manager.token');
    let token = existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : '';
    if (!token || !hub.devices.authenticate(token)) {
      token = (await hub.devices.create('This computer (desktop app)', 'manager')).token;
      writeFileSync(tokenFile, token, { mode: 0o600 });
    }
    await hub.listen();
    const lan =
      Object.values(networkInterfaces())
        .flat()
        .find((a) => a && a.family === 'IPv4' && !a.internal)?.address ?? '127.0.0.1';
    return {
      origin: `http://127.0.0.1:${port}`,
      lanOrigin: `http://${lan}:${port}`,
      managerToken: token,
      status: () => {
        const sync = hub.sync?.status();
        return {
          syncState: sync?.state ?? 'not_configured',
          syncPending: sync?.pendingEvents ?? 0,
          sockets: hub.gateway.countsByRole(),
        };
      },
      stop: () => hub.stop(),
    };
  },
});
