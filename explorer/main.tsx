import 'graphiql/style.css';
import { GraphiQL, type GraphiQLProps } from 'graphiql';
import { createRoot } from 'react-dom/client';
import { exampleTabs } from './examples';

// The offline explorer: GraphiQL bundled at build time (scripts/build-explorer.mjs) and served by
// the API itself under /graphql/explorer/, so nothing is fetched from another host.

// Monaco runs its language services in web workers, bundled beside this script.
const scriptUrl = (document.currentScript as HTMLScriptElement).src;
const workerUrl = (name: string) => new URL(`${name}.worker.js`, scriptUrl).toString();
(globalThis as { MonacoEnvironment?: object }).MonacoEnvironment = {
  getWorker(_workerId: string, label: string) {
    if (label === 'json') return new Worker(workerUrl('json'));
    if (label === 'graphql') return new Worker(workerUrl('graphql'));
    return new Worker(workerUrl('editor'));
  },
};

// The page is served at the endpoint's own URL (GET with Accept: text/html).
const endpoint = window.location.origin + window.location.pathname;

const fetcher: GraphiQLProps['fetcher'] = async (params, options) => {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      accept: 'application/graphql-response+json, application/json',
      'content-type': 'application/json',
      ...options?.headers,
    },
    body: JSON.stringify(params),
  });
  return response.json();
};

// GraphiQL 5 fills the first tab's query from defaultTabs but not its variables: pass them as the
// initial variables, only on a first visit (later, GraphiQL restores the user's own tabs).
const firstVisit = window.localStorage.getItem('graphiql:tabState') === null;

function Explorer() {
  return (
    <GraphiQL
      fetcher={fetcher}
      defaultTabs={exampleTabs}
      initialVariables={firstVisit ? (exampleTabs[0].variables ?? undefined) : undefined}
      defaultEditorToolsVisibility={true}
    >
      <GraphiQL.Logo>
        authapi{' '}
        <a href="?sandbox" title="Apollo Sandbox: loads from Apollo's CDN, so it needs internet access">
          <small>Apollo Sandbox</small>
        </a>
      </GraphiQL.Logo>
    </GraphiQL>
  );
}

createRoot(document.getElementById('explorer')!).render(<Explorer />);
