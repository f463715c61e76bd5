import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Browser tests need Chromium. Without it they are skipped, loudly, except in CI (CI=true), where
 * .ci/run installs it and a missing browser must fail the run instead.
 */
export const skipBrowser = !existsSync(chromiumPath) && process.env.CI !== 'true';
if (skipBrowser) {
  console.warn(
    `SKIPPING browser tests: no Chromium at ${chromiumPath}. Install it (apt-get install -y chromium) or set CHROMIUM_PATH.`,
  );
}
export const artifacts = join(import.meta.dirname, '../artifacts');

/** Debian's Chromium, headless, with the flags this sandboxed, offline machine needs. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `No Chromium at ${chromiumPath}: apt-get install -y chromium (or set CHROMIUM_PATH). .ci/run installs it.`,
    );
  }
  mkdirSync(artifacts, { recursive: true });
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

export const tablet = { width: 1280, height: 800 };
export const tv = { width: 1920, height: 1080 };

/** Signs a staff member in on a till's PIN pad (docs/staff.md), as a server does at the start. */
export async function signInOnTill(page: import('playwright-core').Page, name: string, pin: string) {
  const pad = page.getByTestId('sign-in');
  await pad.waitFor();
  await pad.locator(`[data-staff="${name}"]`).click();
  await page.getByTestId('pin').fill(pin);
  await page.getByTestId('pin-ok').click();
  await pad.waitFor({ state: 'detached' });
}
