/**
 * What a failed cloud call means for the sync loop:
 * - `retryable`: the network, a timeout, a 5xx, 408 or 429: back off and send the same batch again;
 * - `auth`: the credential was refused (401/403, 42501, JWT errors): nothing wrong with the data,
 *   so retry at the slowest pace and tell the operator;
 * - `gap`: the cloud holds less than we thought (SYNC_BATCH_GAP): rewind to its seq and resend;
 * - `permanent`: the cloud refused this data (other 4xx): find the bad event and quarantine it.
 */
export type FailureKind = 'retryable' | 'auth' | 'gap' | 'permanent';

export interface CloudFailure {
  /** HTTP status; 0 when no answer arrived (network error, timeout). */
  status: number;
  code?: string;
  message: string;
  details?: string | null;
}

export function classifyFailure(f: CloudFailure): FailureKind {
  if (f.code === 'GR409') return 'gap';
  if (f.status === 0 || f.status >= 500 || f.status === 408 || f.status === 429) return 'retryable';
  if (f.status === 401 || f.status === 403 || f.code === '42501' || f.code?.startsWith('PGRST30'))
    return 'auth';
  return 'permanent';
}

/** The cloud's synced_seq from a SYNC_BATCH_GAP answer's detail, or null. */
export function gapSyncedSeq(f: CloudFailure): number | null {
  try {
    const seq = JSON.parse(f.details ?? '').synced_seq;
    return Number.isSafeInteger(seq) && seq >= 0 ? seq : null;
  } catch {
    return null; // no seq in the details: the caller treats it as a plain failure
  }
}
