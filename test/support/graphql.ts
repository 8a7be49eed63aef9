export interface GraphQLResult<T = Record<string, any>> {
  status: number;
  data: T | null | undefined;
  errors?: {
    message: string;
    path?: string[];
    extensions: { code: string; fields?: Record<string, string[]>; [key: string]: unknown };
  }[];
  text: string;
}

export interface RequestOptions {
  token?: string;
  headers?: Record<string, string>;
}

/** Sends a GraphQL request over real HTTP, as a browser app would. Values always go as variables. */
export async function graphql<T = Record<string, any>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  options: RequestOptions = {},
): Promise<GraphQLResult<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Token ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  const body = JSON.parse(text);
  return { status: response.status, data: body.data, errors: body.errors, text };
}

export function errorCode(result: GraphQLResult): string | undefined {
  return result.errors?.[0]?.extensions.code;
}

export function fieldErrors(result: GraphQLResult): Record<string, string[]> | undefined {
  return result.errors?.[0]?.extensions.fields;
}
