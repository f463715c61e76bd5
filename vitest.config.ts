import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'protocol/**/*.test.ts',
      'rules/**/*.test.ts',
      'hub/**/*.test.ts',
      'sync/**/*.test.ts',
      'apps/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    // Integration tests start real hubs and child processes; 2 cores, so keep parallelism modest.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
