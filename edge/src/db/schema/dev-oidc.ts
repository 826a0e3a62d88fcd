import { pgTable, text } from 'drizzle-orm/pg-core';
import { tstz } from './columns.ts';

/** Authorization codes of the development OIDC issuer that were already redeemed (single use). */
export const devOidcUsedCodes = pgTable('dev_oidc_used_codes', {
  jti: text().primaryKey(),
  expiresAt: tstz().notNull(),
});
