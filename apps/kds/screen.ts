import { useState } from 'preact/hooks';

/**
 * How one kitchen screen is set up, kept on that screen (localStorage): text size and ticket
 * width readable from two metres, tickets per page, when a ticket turns amber and red, and
 * whether it beeps. `?font=1.4&perPage=12&warn=5&late=8&sound=1` in the address sets them too.
 */
export interface ScreenSettings {
  /** Text size, 1 = normal. */
  font: number;
  /** Ticket width in pixels at font 1. */
  width: number;
  perPage: number;
  warnMinutes: number;
  lateMinutes: number;
  sound: boolean;
}

const key = 'grow.kds.screen';
const defaults: ScreenSettings = {
  font: 1,
  width: 270,
  perPage: 12,
  warnMinutes: 5,
  lateMinutes: 8,
  sound: false,
};

function clamp(n: number, min: number, max: number, fallback: number): number {
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

/** Settings within sensible bounds, whatever was typed or saved. */
function sane(s: ScreenSettings): ScreenSettings {
  return {
    font: clamp(s.font, 0.6, 3, defaults.font),
    width: clamp(s.width, 180, 600, defaults.width),
    perPage: clamp(Math.round(s.perPage), 1, 20, defaults.perPage),
    warnMinutes: clamp(s.warnMinutes, 1, 120, defaults.warnMinutes),
    lateMinutes: clamp(s.lateMinutes, 1, 240, defaults.lateMinutes),
    sound: Boolean(s.sound),
  };
}

function load(): ScreenSettings {
  let saved: Partial<ScreenSettings> = {};
  try {
    saved = JSON.parse(localStorage.getItem(key) ?? '{}');
  } catch {
    // a damaged entry: start from the defaults
  }
  const q = new URLSearchParams(location.search);
  const num = (name: string, fallback: number) => (q.has(name) ? Number(q.get(name)) : fallback);
  const s = { ...defaults, ...saved };
  return sane({
    font: num('font', s.font),
    width: num('width', s.width),
    perPage: num('perPage', s.perPage),
    warnMinutes: num('warn', s.warnMinutes),
    lateMinutes: num('late', s.lateMinutes),
    sound: q.has('sound') ? q.get('sound') === '1' : s.sound,
  });
}

export function useScreenSettings() {
  const [settings, setSettings] = useState<ScreenSettings>(load);
  const save = (wanted: ScreenSettings) => {
    const next = sane(wanted);
    localStorage.setItem(key, JSON.stringify(next));
    setSettings(next);
    if (next.sound) beep('new'); // also unlocks audio: browsers play sound only after a tap
  };
  return { settings, save };
}

/** Keys for the slots on a page: bump bars send digits, then letters (R is recall). */
export const slotKeys = '1234567890abcdefghij';

let audio: AudioContext | null = null;

/** A short tone: a new ticket (two rising notes) or a void (one low note). */
export function beep(kind: 'new' | 'void'): void {
  try {
    audio ??= new AudioContext();
    void audio.resume();
    const notes = kind === 'new' ? [880, 1175] : [220];
    notes.forEach((hz, i) => {
      const osc = audio!.createOscillator();
      const gain = audio!.createGain();
      osc.frequency.value = hz;
      gain.gain.value = 0.15;
      osc.connect(gain).connect(audio!.destination);
      const at = audio!.currentTime + i * 0.15;
      osc.start(at);
      osc.stop(at + (kind === 'new' ? 0.12 : 0.4));
    });
  } catch {
    // no audio on this device: the screen still shows everything
  }
}
