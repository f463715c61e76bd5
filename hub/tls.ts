import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';

export interface TlsMaterial {
  key: string;
  cert: string;
  /** SHA-256 of the certificate, as devices pin it ("AB:CD:…"). */
  fingerprint: string;
}

const tenYears = 10 * 365 * 86_400_000;

/**
 * The hub's own certificate for TLS on the LAN: made on the first start with TLS on, kept in
 * <dataDir>/tls/ (the key readable by the hub's user only), reused ever after so the fingerprint
 * devices pinned at pairing stays valid. Self-signed on purpose: no public CA can vouch for a box
 * on a restaurant's LAN; pinning is what makes it trustworthy.
 */
export async function ensureCertificate(dataDir: string, now = Date.now()): Promise<TlsMaterial> {
  const dir = join(dataDir, 'tls');
  const keyFile = join(dir, 'hub.key');
  const certFile = join(dir, 'hub.crt');
  if (!existsSync(keyFile) || !existsSync(certFile)) {
    mkdirSync(dir, { recursive: true });
    const ips = [
      '127.0.0.1',
      ...Object.values(networkInterfaces())
        .flat()
        .filter((a) => a && a.family === 'IPv4')
        .map((a) => a!.address),
    ];
    // Loaded only here: its X.509 stack costs a few MB of heap a hub without TLS should not pay.
    const { default: selfsigned } = await import('selfsigned');
    const pems = await selfsigned.generate([{ name: 'commonName', value: 'grow-hub' }], {
      keySize: 2048,
      algorithm: 'sha256',
      notBeforeDate: new Date(now - 86_400_000),
      notAfterDate: new Date(now + tenYears),
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [{ type: 2, value: 'localhost' }, ...[...new Set(ips)].map((ip) => ({ type: 7, ip }))],
        },
      ],
    } as never);
    writeFileSync(keyFile, pems.private, { mode: 0o600 });
    writeFileSync(certFile, pems.cert);
  }
  const cert = readFileSync(certFile, 'utf8');
  return { key: readFileSync(keyFile, 'utf8'), cert, fingerprint: new X509Certificate(cert).fingerprint256 };
}
