import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildAppSchema, printAppSchema } from '../schema';

// Regenerates schema.graphql from the code (npm run schema); a test fails when they drift.
buildAppSchema().then((schema) => {
  const target = resolve(__dirname, '..', '..', 'schema.graphql');
  writeFileSync(target, printAppSchema(schema));
  console.log(`wrote ${target}`);
});
