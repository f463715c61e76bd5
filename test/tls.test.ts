import { X509Certificate } from 'node:crypto';
import { statSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { parseConfig } from '../hub/config.ts';
import { Hub } from '../hub/hub.ts';
import { ensureCertificate } from '../hub/tls.ts';
import { tempDir } from './support/hub.ts';

/** An HTTPS call that trusts only a certificate with this SHA-256 fingerprint (pinning). */
function pinned(
  port: number,
  method: string,
  path: string,
  fingerprint: string,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        // Self-signed: trust comes from the pin (checked on secureConnect below), not from a CA.
        rejectUnauthorized: false,
        agent: false, // a fresh connection, so every request's certificate is checked
        headers: payload
          ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
          : {},
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
      },
    );
    req.on('socket', (socket) =>
      socket.on('secureConnect', () => {
        const cert = (socket as TLSSocket).getPeerCertificate();
        if (cert.fingerprint256 !== fingerprint)
          req.destroy(new Error(`certificate ${cert.fingerprint256} is not the pinned one`));
      }),
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('TLS on the LAN', () => {
  it('serves HTTPS and WSS with a certificate it made, hands its fingerprint out at pairing, and keeps it across restarts', async () => {
    const { dir, remove } = tempDir();
    try {
      const tls = await ensureCertificate(dir);
      expect(statSync(join(dir, 'tls/hub.key')).mode & 0o777).toBe(0o600);
      expect(tls.fingerprint).toBe(new X509Certificate(tls.cert).fingerprint256);
      const config = parseConfig({
        dataDir: dir,
        port: 0,
        host: '127.0.0.1',
        logLevel: 'silent',
        demo: true,
        tlsEnabled: true,
      });
      const hub = new Hub(config, { tls });
      await hub.loadDemoMenuIfEmpty();
      const { port } = await hub.listen();
      try {
        expect((await pinned(port, 'GET', '/health', tls.fingerprint)).status).toBe(200);
        await expect(pinned(port, 'GET', '/health', 'AA:BB')).rejects.toThrow(/not the pinned one/);
        await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow(); // no plain HTTP

        // A tablet pairs over TLS and learns the fingerprint to pin from then on.
        const manager = await hub.devices.create('boss', 'manager');
        const asked = await pinned(port, 'POST', '/api/v1/pairings', tls.fingerprint, {
          name: 'Till',
          role: 'pos',
        });
        await hub.devices.approvePairing(asked.body.code, 'pos', manager.id);
        const claimed = await pinned(
          port,
          'POST',
          `/api/v1/pairings/${asked.body.pairingId}/claim`,
          tls.fingerprint,
          { secret: asked.body.secret },
        );
        expect(claimed.body.tlsFingerprint).toBe(tls.fingerprint);

        // Trusting exactly the hub's certificate as the only CA is the other way to pin it.
        const ws = new WebSocket(`wss://127.0.0.1:${port}/ws?token=${claimed.body.token}`, { ca: tls.cert });
        const hello = await new Promise<any>((resolve) =>
          ws.on('message', (d) => resolve(JSON.parse(d.toString()))),
        );
        expect(hello.type).toBe('hello');
        ws.close();
      } finally {
        await hub.stop();
      }
      expect((await ensureCertificate(dir)).fingerprint).toBe(tls.fingerprint); // same certificate next start
    } finally {
      remove();
    }
  });

  it('refuses to start with TLS on but no certificate', () => {
    const { dir, remove } = tempDir();
    try {
      expect(() => new Hub(parseConfig({ dataDir: dir, tlsEnabled: true, logLevel: 'silent' }))).toThrow(
        /no certificate/,
      );
    } finally {
      remove();
    }
  });
});
