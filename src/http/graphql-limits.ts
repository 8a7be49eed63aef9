import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  GraphQLError,
  Kind,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { messages } from '../errors';

// Query limits against resource exhaustion: graphql-armor's validation rules (depth, aliases,
// directives, cost) and graphql-js's own token limit at parse time, which — unlike armor's
// max-tokens plugin — answers a 400 instead of a 500.
export const MAX_TOKENS = 1000;

export function graphqlArmor(options: { production: boolean }) {
  return new ApolloArmor({
    maxDepth: { n: 8, ignoreIntrospection: true },
    maxAliases: { n: 15 },
    maxDirectives: { n: 50 },
    costLimit: { maxCost: 5000 },
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: options.production },
  }).protect();
}

/** The operations that each hash a password: one per request, however they are spelt. */
const PASSWORD_OPERATIONS = new Set(['login', 'register', 'changePassword', 'deleteAccount', 'resetPassword']);

function countPasswordFields(
  selectionSet: SelectionSetNode,
  fragments: Record<string, FragmentDefinitionNode>,
  seen: Set<string>,
): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (PASSWORD_OPERATIONS.has(selection.name.value)) count++;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += countPasswordFields(selection.selectionSet, fragments, seen);
    } else if (!seen.has(selection.name.value) && fragments[selection.name.value]) {
      seen.add(selection.name.value);
      count += countPasswordFields(fragments[selection.name.value].selectionSet, fragments, seen);
    }
  }
  return count;
}

/**
 * Aliases (`a: login(…) b: login(…)`) and fragments would otherwise let one request try many
 * passwords, or queue many hashes. Every such root field counts, @skip or not.
 */
export const OnePasswordOperationPerRequest: ValidationRule = (context: ValidationContext) => {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of context.getDocument().definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  return {
    OperationDefinition(operation) {
      if (operation.operation !== 'mutation') return;
      if (countPasswordFields(operation.selectionSet, fragments, new Set()) > 1) {
        context.reportError(new GraphQLError(messages.oneSensitiveOperation, { nodes: [operation] }));
      }
    },
  };
};
