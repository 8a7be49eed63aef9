import { ConfigError, loadConfig } from '../../src/config';

/** The problems loadConfig reports for this environment, one line each; [] when it is valid. */
export function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}
