import { defineConfig } from 'drizzle-kit';

// `npm run db:generate -w @browserpane/edge` writes a new SQL migration into ../migrations from the
// schema. Applying them is `npm run migrate -w @browserpane/edge` (Node, never the worker).
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema/index.ts',
  out: '../migrations',
  casing: 'snake_case',
  strict: true,
  verbose: true,
});
