import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'labs/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // Pure logic never depends on VS Code, so the CLI and plain mocha can use it.
    files: ['src/core/**/*.ts', 'src/cli.ts', 'src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'src/core is VS Code-free: put glue in src/host.' }] }],
    },
  },
  {
    // The webview runs in a browser: no Node and no VS Code API.
    files: ['src/webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['vscode', 'node:*', 'fs', 'path', 'child_process'] }],
    },
  },
);
