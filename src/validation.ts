import { validate, type ValidationError } from 'class-validator';
import { ArgumentValidationError, type ValidatorFn } from 'type-graphql';
import type { Context } from './context';
import type { FieldErrors } from './errors';

// Input rules are class-validator decorators on the input classes; type-graphql runs them through
// this function before a resolver starts. It differs from type-graphql's built-in run in one way:
// the rules that depend on the request (the configured password policy, "is this name taken?")
// can reach its context, through the input object itself and without any global state.

/** What the rules may use of a request; the CLI supplies the same without one. */
export type ValidationScope = Pick<Context, 'config' | 'em' | 'viewer'>;

const requests = new WeakMap<object, ValidationScope>();

/** Inputs may normalise themselves (NFKC, trimming) once, before any rule sees them. */
export interface NormalizesItself {
  normalize(): void;
}

function normalizesItself(input: object): input is NormalizesItself {
  return typeof (input as Partial<NormalizesItself>).normalize === 'function';
}

/** The request an input arrived with, for a constraint that needs it. */
export function requestOf(input: object): ValidationScope {
  const context = requests.get(input);
  if (!context) throw new Error('An input was validated outside a request.');
  return context;
}

/** Runs every rule of the input; values and the input object never appear in the result. */
export async function validateInput(input: object, context: ValidationScope): Promise<ValidationError[]> {
  requests.set(input, context);
  if (normalizesItself(input)) input.normalize();
  return validate(input, {
    forbidUnknownValues: false,
    validationError: { target: false, value: false },
  });
}

/** Field name -> the messages of every rule it broke, in declaration order. */
export function fieldErrorsOf(errors: ValidationError[]): FieldErrors {
  const fields: FieldErrors = {};
  for (const error of errors) {
    const problems = Object.values(error.constraints ?? {});
    if (problems.length > 0) (fields[error.property] ??= []).push(...problems);
  }
  return fields;
}

export const validateArgument: ValidatorFn = async (argument, _type, { context }) => {
  if (argument === null || typeof argument !== 'object' || Array.isArray(argument)) return;
  const errors = await validateInput(argument, context as Context);
  if (errors.length > 0) throw new ArgumentValidationError(errors);
};

/**
 * For an argument whose rules the service runs itself (with `validateInput`), merged with what
 * only it can tell: changePassword reports a wrong current password with a weak new one.
 */
export const validatedByTheService: ValidatorFn = () => undefined;
