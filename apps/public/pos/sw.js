// The POS shell offline (docs/apps.md): a tablet that reloads while the hub is down still opens
// the till from this cache. The last menu it saw is in localStorage (apps/pos/use-menu.ts) and
// what the cashier rings in queues in IndexedDB (apps/pos/outbox.ts); no API answer is cached
// here. Plain JS, copied as it is: a service worker must be a file of its own at a fixed address.
const CACHE = 'grow-pos-v1';
const SHELL = '/pos/';

/** The page and every script and style it loads (hashed names, read from the page itself). */
async function cacheShell() {
  const cache = await caches.open(CACHE);
  const page = await fetch(SHELL, { cache: 'no-cache' });
  if (!page.ok) return;
  const html = await page.clone().text();
  const assets = [...html.matchAll(/(?:src|href)="(\/(?:assets|shared|pos)\/[^"]+)"/g)].map((m) => m[1]);
  await cache.put(SHELL, page);
  await Promise.all(
    assets.map(async (url) => {
      const res = await fetch(url);
      if (res.ok) await cache.put(url, res);
    }),
  );
}

self.addEventListener('install', (event) => {
  event.waitUntil(cacheShell().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

/** The network first, so the till always runs the hub's current build; the cache when the hub is away. */
async function networkFirst(request, key) {
  const cache = await caches.open(CACHE);
  try {
    const res = await fetch(request);
    if (res.ok) await cache.put(key, res.clone());
    return res;
  } catch (err) {
    const cached = await cache.match(key);
    if (cached) return cached;
    throw err;
  }
}

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (event.request.mode === 'navigate' && url.pathname.startsWith('/pos')) {
    event.respondWith(networkFirst(event.request, SHELL));
  } else if (url.pathname.startsWith('/assets/')) {
    // Hashed names never change content: the cache answers first.
    event.respondWith(
      caches.match(event.request).then((hit) => hit ?? networkFirst(event.request, url.pathname)),
    );
  }
});
