/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The API's GraphQL endpoint; http://localhost:4000/graphql when unset. Read at build time. */
  readonly VITE_API_URL?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
