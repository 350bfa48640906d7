/**
 * Two projects, so a developer runs the quick ones in seconds and the simulation on purpose:
 *   npx jest --selectProjects fast   construct, request, network, handler (mocked SDK), docs
 *   npx jest --selectProjects sim    the local simulation: moto, PostgreSQL, the Provider
 *                                    framework, the CloudFormation stand-in (test/sim/**)
 * `npm test` and CI run both.
 *
 * Every test has an explicit bound: no test leans on jest's 5 s default. A fast test that needs
 * more than 30 s is a bug; a simulation suite sets its own, longer bounds per test where its
 * work is long (a 1,000-event fault run), and 120 s otherwise. Timeouts are ceilings for a
 * loaded machine, never assertions of speed.
 */
const shared = {
  testEnvironment: 'node',
  // TypeScript sources first, whatever .js may lie beside them.
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.tsx?$': '@swc/jest' },
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  setupFilesAfterEnv: ['aws-sdk-client-mock-jest'],
};

/** The simulation suites: everything under test/sim/. */
const SIM = '<rootDir>/test/sim/';

/** @type {import('jest').Config} */
module.exports = {
  // Every core: the simulation suites spend much of their time waiting on their servers.
  maxWorkers: '100%',
  projects: [
    {
      ...shared,
      displayName: 'fast',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', SIM],
      testTimeout: 30_000,
    },
    {
      ...shared,
      displayName: 'sim',
      roots: ['<rootDir>/test'],
      testMatch: [`${SIM}**/*.test.ts`],
      testTimeout: 120_000,
    },
  ],
};
