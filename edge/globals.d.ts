// Text imports (bundled by esbuild's `text` loader and wrangler's `Text` rule).
declare module '*.yaml' {
  const text: string;
  export default text;
}
