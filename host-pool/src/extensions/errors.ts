/** An extension could not be fetched, checked or unpacked for a session. */
export class ExtensionLoadError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ExtensionLoadError';
  }
}
