/** Files a session produced (its browser's downloads). */
import { count, queryInteger, timestamp, uuid, z } from '../fields.ts';
import { named } from '../registry.ts';

/** Largest session file a host may record (the largest request body any route takes). */
export const SESSION_FILE_MAX_BYTES = 512 * 1024 * 1024;

export const SessionFile = named(
  'SessionFile',
  z.object({
    id: uuid(),
    session_id: uuid(),
    name: z.string().meta({ description: 'The file name the page suggested (cleaned).' }),
    mime_type: z.string(),
    size: count(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    source: z.enum(['download']),
    created_at: timestamp(),
    content_url: z.string().meta({ description: 'Path of the content route.' }),
  }),
);

export type SessionFile = z.output<typeof SessionFile>;

export const SessionFileList = named(
  'SessionFileList',
  z.object({ files: z.array(SessionFile), next_cursor: z.string().nullable() }),
);

export const ListSessionFilesQuery = z.strictObject({
  limit: queryInteger(1, 500).optional().meta({ description: 'At most this many (default 100).' }),
  cursor: z
    .string()
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, {
      error: 'must be a next_cursor value',
    })
    .optional()
    .meta({ description: '`next_cursor` of the previous page.' }),
});

export const SessionFileParams = z.strictObject({ session_id: uuid(), file_id: uuid() });

export const HostSessionFileParams = z.strictObject({
  host_id: uuid(),
  session_id: uuid(),
  file_id: uuid(),
});
