// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Import boundaries (DESIGN §2): contracts imports nothing of ours; tinylcm imports only
 * contracts; testkit imports packages; apps import packages, never each other.
 * `scripts/check-lint-boundary.test.ts` proves the rule fires.
 */
const APP_NAMES = ['tinysphere', 'dashboard', 'device', 'fleet-sim'];
const appPatterns = APP_NAMES.map((a) => `**/apps/${a}/**`);
const ourPackages = ['@tinymlops/*'];

/** @param {string[]} group @param {string} message */
const forbid = (group, message) => ({ group, message });

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'docs/**',
      'models/**',
      'datasets/**',
      'test-results/**',
      '.venv-tflite/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        performance: 'readonly',
        fetch: 'readonly',
        structuredClone: 'readonly',
        AbortController: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        globalThis: 'readonly',
        queueMicrotask: 'readonly',
        setImmediate: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // A line too long for the formatter is restructured, not exempted (code style §8).
      'no-warning-comments': ['error', { terms: ['prettier-ignore'], location: 'anywhere' }],
    },
  },
  {
    files: ['apps/dashboard/src/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['packages/contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            forbid(
              [...ourPackages, '**/packages/**', ...appPatterns],
              'contracts imports nothing of ours (DESIGN §2).',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['packages/tinylcm/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            forbid(['@tinymlops/*', '!@tinymlops/contracts'], 'tinylcm imports only @tinymlops/contracts (DESIGN §2).'),
            forbid(
              [...appPatterns, '**/apps/**', '../../apps/*', '../../../apps/*'],
              'tinylcm never imports an app (DESIGN §2).',
            ),
            forbid(['**/testkit/**'], 'tinylcm code may not import testkit; tests import it as @tinymlops/testkit.'),
          ],
        },
      ],
    },
  },
  {
    files: ['packages/tinylcm/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            forbid(
              ['@tinymlops/*', '!@tinymlops/contracts', '!@tinymlops/testkit'],
              'tinylcm tests import only contracts and testkit.',
            ),
            forbid(['**/apps/**'], 'tinylcm never imports an app (DESIGN §2).'),
          ],
        },
      ],
    },
  },
  ...APP_NAMES.map((app) => ({
    files: [`apps/${app}/**/*.ts`, `apps/${app}/**/*.tsx`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            forbid(
              APP_NAMES.filter((a) => a !== app).flatMap((a) => [`**/apps/${a}/**`, `**/${a}/src/**`]),
              'apps never import each other (DESIGN §2).',
            ),
          ],
        },
      ],
    },
  })),
  {
    // The dashboard's browser tests start a real TinySphere through the server's test helpers; they
    // test the whole system (DESIGN §7: real parts), so they may import the server. The SPA may not.
    files: ['apps/dashboard/e2e/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
