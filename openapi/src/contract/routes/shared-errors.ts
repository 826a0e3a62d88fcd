/** Error codes many routes share: a bearer token's refusals and a JSON body's. */
export const BEARER_ERRORS = ['unauthorized', 'invalid_token'] as const;
export const BODY_ERRORS = [
  'validation_failed',
  'invalid_json',
  'payload_too_large',
  'unsupported_media_type',
] as const;
