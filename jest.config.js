/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.tsx?$': '@swc/jest' },
  setupFilesAfterEnv: ['aws-sdk-client-mock-jest'],
};
