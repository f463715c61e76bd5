import { readFileSync } from 'node:fs';
import { MenuSnapshot } from '../../protocol/menu.ts';

/**
 * The demo restaurant's menu (68 items across food, drinks and desserts, version 0 so that HQ's
 * first published menu replaces it). It is data, validated by the same schema as any menu HQ sends.
 */
export function demoMenu(): MenuSnapshot {
  return MenuSnapshot.parse(JSON.parse(readFileSync(new URL('./demo-menu.json', import.meta.url), 'utf8')));
}
