/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Sources before the .js that `npm run build` writes next to them.
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.tsx?$': '@swc/jest' },
  setupFilesAfterEnv: ['aws-sdk-client-mock-jest'],
};
