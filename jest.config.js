const { availableParallelism } = require('node:os');

/** Unit tests sit beside the code (*.spec.ts); e2e suites boot the real app (test/*.e2e-spec.ts). */
const transform = { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] };

module.exports = {
  testTimeout: 120000,
  // The e2e suites spend most of their time waiting on PostgreSQL, timers and child processes, so two
  // run side by side even on two cores (each has its own database and Redis key prefix): the e2e run took
  // 138 s instead of 262 s on a 2-core machine. Jest's default (cores - 1) runs them one at a time there.
  maxWorkers: Math.max(2, Math.floor(availableParallelism() / 2)),
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/bench/**/*.spec.ts', '<rootDir>/web/src/**/*.spec.ts'],
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
