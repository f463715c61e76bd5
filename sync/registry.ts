/**
 * The operator's side of the cloud: register organisations, restaurants and hubs, and invite HQ
 * users, through supabase-js with the service role (`grow-hub cloud …`, docs/sync.md). The same
 * calls work against a Supabase project and a self-hosted PostgREST.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { SupabaseClient } from '@supabase/supabase-js';
import { WebSocket } from 'ws';
import { signCloudToken } from './credential.ts';

export interface RegistryOptions {
  /** The project's URL (https://<ref>.supabase.co, or a self-hosted gateway). */
  url: string;
  /** A service role key, or the JWT secret to sign a short-lived one with. */
  serviceKey?: string;
  jwtSecret?: string;
}

/** A refusal the operator can act on, in their words. */
export class RegistryError extends Error {}

function refusal(error: { message: string }): RegistryError {
  if (/fetch|network/i.test(error.message))
    return new RegistryError(`cannot reach the cloud: ${error.message}`);
  return new RegistryError(`the cloud refused: ${error.message}`);
}

export class Registry {
  private constructor(
    private readonly client: SupabaseClient,
    private readonly jwtSecret: string | undefined,
  ) {}

  static async connect(options: RegistryOptions): Promise<Registry> {
    if (!options.url) throw new RegistryError('set GROW_CLOUD_URL to the project URL');
    const secret = options.jwtSecret && options.jwtSecret.length >= 32 ? options.jwtSecret : undefined;
    const key =
      options.serviceKey || (secret ? await signCloudToken({ role: 'service_role' }, secret, 600) : '');
    if (!key)
      throw new RegistryError(
        'set GROW_CLOUD_SERVICE_KEY to the service role key, or GROW_SUPABASE_JWT_SECRET to the project JWT secret',
      );
    const { createClient } = createRequire(import.meta.url)(
      '@supabase/supabase-js',
    ) as typeof import('@supabase/supabase-js');
    const client = createClient(options.url, key, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      realtime: { transport: WebSocket as never },
    });
    return new Registry(client, secret);
  }

  /**
   * Inserts a row; `parent` names what its foreign key points at, and `taken` what a duplicate
   * means, for the refusal.
   */
  private async insert(
    table: string,
    row: Record<string, unknown>,
    parent: string,
    taken = 'it is registered already',
  ): Promise<void> {
    const { error } = await this.client.from(table).insert(row);
    if (!error) return;
    if (/foreign key/i.test(error.message)) throw new RegistryError(`no such ${parent}: check the id`);
    if (/duplicate key/i.test(error.message)) throw new RegistryError(taken);
    throw refusal(error);
  }

  async addOrganisation(name: string): Promise<{ organisationId: string; name: string }> {
    const id = randomUUID();
    await this.insert('organisations', { id, name }, 'organisation');
    return { organisationId: id, name };
  }

  async addRestaurant(organisationId: string, name: string, timezone = 'UTC') {
    const id = randomUUID();
    await this.insert('restaurants', { id, organisation_id: organisationId, name, timezone }, 'organisation');
    return { restaurantId: id, organisationId, name, timezone };
  }

  /** Registers a hub and, given the JWT secret, mints its credential (GROW_CLOUD_HUB_TOKEN). */
  async addHub(restaurantId: string, name = 'hub') {
    const id = randomUUID();
    await this.insert('hubs', { id, restaurant_id: restaurantId, name }, 'restaurant');
    const claims = { role: 'authenticated', grow_role: 'hub', hub_id: id, restaurant_id: restaurantId };
    return {
      hubId: id,
      restaurantId,
      token: this.jwtSecret ? await signCloudToken(claims, this.jwtSecret) : null,
      ...(this.jwtSecret
        ? {}
        : {
            next: `mint its credential: grow-hub cloud-credential --hub-id ${id} --restaurant-id ${restaurantId}`,
          }),
    };
  }

  /**
   * The cloud's daily upkeep where pg_cron does not run it: months of raw rows made ahead, and
   * months past the policy archived (docs/cloud-scale.md). Says what it did.
   */
  async maintain(): Promise<{ made: number; archived: string[]; kept_from: string }> {
    const { data, error } = await this.client.rpc('maintain_partitions');
    if (error) throw refusal(error);
    return data;
  }

  /** Lets a Supabase Auth user into an organisation's HQ (the sign-in hook reads this). */
  async invite(organisationId: string, userId: string, role: 'owner' | 'analyst' = 'analyst') {
    await this.insert(
      'hq_members',
      { user_id: userId, organisation_id: organisationId, role },
      'organisation',
      `user ${userId} is in an organisation's HQ already (one organisation a user)`,
    );
    return { userId, organisationId, role };
  }

  /**
   * Creates the user in Supabase Auth (or finds them there) and lets them into the organisation:
   * with a password they can sign in at once; without, Supabase Auth emails them an invitation to
   * set one.
   */
  async inviteByEmail(
    organisationId: string,
    email: string,
    password: string | undefined,
    role: 'owner' | 'analyst' = 'analyst',
  ) {
    const auth = this.client.auth.admin;
    const made = password
      ? await auth.createUser({ email, password, email_confirm: true })
      : await auth.inviteUserByEmail(email);
    let userId = made.data.user?.id;
    if (made.error && (made.error as { code?: string }).code === 'email_exists') {
      userId = await this.userByEmail(email);
    } else if (made.error) {
      throw new RegistryError(
        (made.error as { code?: string }).code === 'auth_not_configured'
          ? `this cloud has no Supabase Auth behind its gateway, so ${email} cannot be made a user: start it (docs/cloud-operator.md) or invite an existing user with --user-id`
          : `Supabase Auth refused ${email}: ${made.error.message}`,
      );
    }
    if (!userId) throw new RegistryError(`Supabase Auth did not say which user ${email} is`);
    await this.invite(organisationId, userId, role);
    return {
      userId,
      email,
      organisationId,
      role,
      next: password
        ? `${email} signs in to HQ with this email and password`
        : `Supabase Auth emailed ${email} a link to choose a password`,
    };
  }

  /** A Supabase Auth user's id by email, paging through the users (the admin API has no lookup). */
  private async userByEmail(email: string): Promise<string> {
    for (let page = 1; ; page++) {
      const { data, error } = await this.client.auth.admin.listUsers({ page, perPage: 1000 });
      if (error) throw refusal(error);
      const found = data.users.find((u) => u.email?.toLowerCase() === email.toLowerCase());
      if (found) return found.id;
      if (data.users.length < 1000) throw new RegistryError(`Supabase Auth has no user ${email}`);
    }
  }
}
