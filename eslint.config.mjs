// typescript-eslint's recommended rules, set to what the code already follows; `npm run lint`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', '.tmp/**', 'test-results/**', '**/*.vsix'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // The lexer and its tests match control characters on purpose (binary input).
      'no-control-regex': 'off',
    },
  },
  {
    // Prettier does not break long strings and template literals: split them by hand (the text stays the same).
    files: ['server/src/**', 'client/src/**'],
    rules: {
      'max-len': ['error', { code: 140, ignoreUrls: true, ignoreRegExpLiterals: true }],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: {
      globals: {
        ...Object.fromEntries(
          [
            'require',
            'process',
            'console',
            '__dirname',
            'setTimeout',
            'clearTimeout',
            'setInterval',
            'clearInterval',
            'Buffer',
            'URL',
            'fetch',
            'AbortSignal',
            'performance',
          ].map((g) => [g, 'readonly']),
        ),
        module: 'writable',
        // Code that runs in the editor's page (Playwright's evaluate).
        document: 'readonly',
        getComputedStyle: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
);
