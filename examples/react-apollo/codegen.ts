import type { CodegenConfig } from '@graphql-codegen/cli';

// Types for every operation written with `graphql(...)` in src/, checked against the API's
// committed schema. Run `npm run codegen` after changing an operation or ../../schema.graphql,
// and commit src/gql/ with the change.
const config: CodegenConfig = {
  schema: '../../schema.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**/*'],
  ignoreNoDocuments: false,
  generates: {
    './src/gql/': {
      preset: 'client',
      presetConfig: {
        // This app reads whole operations; it defines no fragments to mask.
        fragmentMasking: false,
      },
      config: {
        scalars: { DateTime: 'string' },
        useTypeImports: true,
        enumsAsTypes: true,
        // Apollo Client adds __typename to every object it asks for.
        nonOptionalTypename: true,
        skipTypeNameForRoot: true,
      },
    },
  },
};

export default config;
