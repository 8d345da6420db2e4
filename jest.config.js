/** Unit tests sit beside the code (*.spec.ts); e2e suites boot the real app (test/*.e2e-spec.ts). */
const { availableParallelism } = require('node:os');

const transform = { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] };

module.exports = {
  testTimeout: 120000,
  // The e2e suites spend most of their time waiting on PostgreSQL and on the processes they start,
  // so two run side by side even on two cores, where Jest's default is one: the e2e suites against
  // a PostgreSQL service took 425 s instead of 528 s on a 2-core machine. Each suite has a database
  // of its own (test/support/test-database.ts).
  maxWorkers: Math.max(2, availableParallelism() - 1),
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
