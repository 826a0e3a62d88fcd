/**
 * The relay's certificates now live in `./certificates/` (loading and validation, the agent's own
 * development certificate, rotation and reload); this module keeps the old import path working.
 */
export {
  DEV_CERT_RENEW_BEFORE_MS,
  DEV_CERT_VALIDITY_DAYS,
  ensureDevCertificate,
  generateDevCertificate,
} from './certificates/dev-certificate.ts';
export {
  CertificateError,
  loadCertificate,
  parseCertificate,
  type RelayCertificate,
} from './certificates/relay-certificate.ts';
