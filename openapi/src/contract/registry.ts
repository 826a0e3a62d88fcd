import type { z } from 'zod';

/**
 * Names a schema: it becomes `#/components/schemas/<id>` in the document (zod's global registry
 * carries the id, like every `.meta()` description and format). Use the returned schema.
 */
export function named<T extends z.ZodType>(id: string, schema: T, description?: string): T {
  return schema.meta(description ? { id, description } : { id }) as T;
}
