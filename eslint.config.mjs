// eslint flat config: typescript-eslint's type-aware rules, no floating promises, and no
// imports of packages the importing code does not declare.
import tseslint from 'typescript-eslint';
import importPlugin from 'eslint-plugin-import';

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', 'assets/**', '**/*.js', '**/*.d.ts', 'coverage/**', 'dist-lang/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.json' } },
    plugins: { import: importPlugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-require-imports': 'off',
      'import/no-extraneous-dependencies': ['error', {
        devDependencies: ['test/**', 'sim/**', 'bench/**', 'bin/**', 'scripts/**', 'lambda/**', 'core/**', 'cli/**'],
        peerDependencies: true,
        optionalDependencies: false,
      }],
    },
  },
);
