import { timestamp } from 'drizzle-orm/pg-core';

/** A timestamptz column; every time in the schema is one. */
export const tstz = () => timestamp({ withTimezone: true, mode: 'date' });

export const timestamps = {
  createdAt: tstz().notNull().defaultNow(),
  updatedAt: tstz().notNull().defaultNow(),
};
