// Lint rules for Phoenix. The important project rule is the role boundary: a role (ca/pki, gateway,
// router, hub, agent, vector, policy) may import `src/core/` and shared libraries such as
// `src/proxy/`, but never another role's internals. Roles talk over HTTP(S) only (DESIGN.md §4).
import tseslint from 'typescript-eslint';

/** Folders under src/ that are roles, and the shared folders each may use besides core/. */
const roles = {
  pki: [],
  gateway: ['proxy'],
  router: ['proxy'],
  hub: [],
  agent: [],
  vector: [],
  policy: [],
  proxy: [],
};
const allRoleFolders = Object.keys(roles);

/** Packages that must be imported through a core wrapper. */
const wrappedPackages = [
  { name: '@peculiar/x509', message: "Import x509 from src/core/tls/x509.ts: it loads reflect-metadata and the WebCrypto provider first." },
];

function restrict(groups, message) {
  return ['error', { paths: wrappedPackages, patterns: [{ group: groups, message }] }];
}

function boundaryFor(role) {
  const forbidden = allRoleFolders.filter((r) => r !== role && !roles[role].includes(r));
  return {
    files: [`src/${role}/**/*.ts`],
    rules: {
      'no-restricted-imports': restrict(
        [...forbidden.map((r) => `**/${r}/**`), ...forbidden.map((r) => `**/${r}`), '**/cli/**'],
        `The ${role} role must not import another role's internals; roles talk over HTTP(S). Move shared code to src/core/.`,
      ),
    },
  };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/.cache/**', 'src/hub/ui/dist/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
      'no-restricted-imports': ['error', { paths: wrappedPackages }],
    },
  },
  {
    // core/ is shared by every role and must import none of them.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(
        [...allRoleFolders.map((r) => `**/${r}/**`), ...allRoleFolders.map((r) => `**/${r}`), '**/cli/**'],
        'src/core/ is shared by all roles and must not import any role.',
      ),
    },
  },
  ...allRoleFolders.map(boundaryFor),
  // The wrapper itself is the one place that imports @peculiar/x509 directly.
  {
    files: ['src/core/tls/x509.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
