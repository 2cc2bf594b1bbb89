import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/**', 'bench/results/**', 'test/artifacts/**', 'node_modules/**', 'schemas/**', 'index-template/assets/**', 'test/fixtures/**', 'examples/**/node_modules/**', 'coverage/**', 'oclif.manifest.json'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-control-regex': 'off',
    },
  },
  {
    // The library never prints, prompts or reaches into the CLI layer: one-way imports.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@oclif/*', 'ink', 'ink/*'], message: 'src/ is the library: no CLI framework imports.' },
            { group: ['**/commands/**', '**/cli/**'], message: 'src/ must not import the CLI layer.' },
          ],
        },
      ],
    },
  },
  {
    files: ['index-template/**/*.js', 'index-template/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
