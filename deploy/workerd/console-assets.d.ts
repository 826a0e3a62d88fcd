// Types of console-assets.js (a plain workerd module, also imported by the Node console server).
export function consoleFile(path: string): string | undefined;
export function contentType(file: string): string;
export function cacheControl(rel: string): string;
declare const worker: {
  fetch(
    request: Request,
    env: { FILES: { fetch(input: string, init?: RequestInit): Promise<Response> } },
  ): Promise<Response>;
};
export default worker;
