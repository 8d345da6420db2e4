// Type-aware recommended rules of typescript-eslint; Prettier owns the formatting.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Turns off globals that an earlier block declared for every file. */
const withdrawn = (...sets) => Object.fromEntries(sets.flatMap((set) => Object.keys(set)).map((name) => [name, 'off']));

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', '.data/', 'eslint.config.mjs', 'jest.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: {
      globals: { ...globals.node, ...globals.jest },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    // Plain CommonJS that runs before anything is compiled (scripts/run-entry.cjs): no types to check.
    files: ['**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'commonjs',
      globals: globals.node,
    },
    rules: { ...tseslint.configs.disableTypeChecked.rules, '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The dashboard runs in a browser: its globals are the browser's, not Node's or Jest's.
    files: ['web/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...withdrawn(globals.node, globals.jest), ...globals.browser } },
  },
  {
    // Its unit tests run in Jest, on the functions that touch no page.
    files: ['web/src/**/*.spec.ts'],
    languageOptions: { globals: globals.jest },
  },
  {
    // Tests read supertest's `res.body` and query rows, which are `any` by design; the asserts
    // are what check their shape, so the no-unsafe-* family only adds noise there.
    files: ['test/**/*.ts', '**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
