import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { BackupInfo } from './backups.ts';

const Backup = z.object({ file: z.string(), bytes: z.int(), at: z.string() });

export const backupRoutes =
  (backups: { list: () => BackupInfo[]; make: () => Promise<BackupInfo> }): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/api/v1/backups',
      {
        schema: { response: { 200: z.object({ backups: z.array(Backup) }) } },
        config: { roles: ['manager'] },
      },
      async () => ({
        backups: backups.list(),
      }),
    );
    app.post(
      '/api/v1/backups',
      { schema: { response: { 201: Backup } }, config: { roles: ['manager'] } },
      async (_request, reply) => reply.code(201).send(await backups.make()),
    );
  };
