import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../context';

/** Notes each request's operation name and outcome code for the access log line. */
export const recordOutcome: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue, operationName, response }) {
        const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
        contextValue.request.log.operationName = operationName;
        contextValue.request.log.outcome = errors?.length ? String(errors[0].extensions?.code ?? 'ERROR') : 'OK';
      },
    };
  },
};
