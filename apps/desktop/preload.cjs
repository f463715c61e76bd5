// Runs in the sandboxed renderer before the admin page. The admin page is a plain web page that
// talks to the hub over HTTP, so it needs nothing from Node: expose only a marker that it runs
// inside the desktop app.
const { contextBridge } = require('electron');

contextBridge.exposeInMainWorld('growDesktop', { isDesktop: true });
