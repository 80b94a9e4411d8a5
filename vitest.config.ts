import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Tests run real servers on loopback; a hung client should fail the test, not the whole run.
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // Issue #15: finds the test PostgreSQL once per run (XEN_CHATOPS_TEST_POSTGRES_URL), or says why not.
    globalSetup: ['tests/helpers/postgres-global-setup.ts'],
  },
})
