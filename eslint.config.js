// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { folderBoundariesRule } from './folderRules.js';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'runs/**',
      '.tmp/**',
      'bench/results/**',
      'coverage/**',
      'proto/generated/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // Which top-level folder may import which, with one line of reason each: folderRules.js.
    files: ['**/*.ts', '**/*.mjs'],
    plugins: { chorus: { rules: { 'folder-boundaries': folderBoundariesRule } } },
    rules: { 'chorus/folder-boundaries': 'error' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    // The browser example: a page's script, with the browser build of tfjs as the global `tf`.
    files: ['examples/browser/**/*.js'],
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        fetch: 'readonly',
        URLSearchParams: 'readonly',
        tf: 'readonly',
      },
    },
  },
);
