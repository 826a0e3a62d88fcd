import { pageFunction, requireString } from './args.ts';
import { printResult } from './print-result.ts';
import type { VerbDefinition } from './types.ts';

type Row = Record<string, string | null>;

// rows: the elements matched by `selector`; fields: name → CSS string (trimmed textContent) or
// {selector, attr}; a falsy field selector means the row itself; no match → null.
const extractRows = pageFunction<(rows: unknown[], fields: Record<string, unknown>) => Row[]>(`
  (rows, fields) => rows.map((row) => {
    const out = {};
    for (const name of Object.keys(fields)) {
      const spec = fields[name];
      const selector = typeof spec === 'string' ? spec : spec && typeof spec === 'object' ? spec.selector : null;
      const attr = spec && typeof spec === 'object' ? spec.attr : null;
      const el = selector ? row.querySelector(selector) : row;
      if (!el) { out[name] = null; continue; }
      out[name] = attr ? el.getAttribute(attr) : (el.textContent || '').trim();
    }
    return out;
  })
`);

export const extract: VerbDefinition = {
  name: 'extract',
  primaryKey: 'selector',
  async run(args, ctx) {
    const selector = requireString(args, 'selector', 'extract');
    const fields =
      args.fields && typeof args.fields === 'object' && !Array.isArray(args.fields)
        ? (args.fields as Record<string, unknown>)
        : {};
    const rows = await ctx.page.$$eval(selector, extractRows, fields);
    ctx.slice.lastResult = rows;
    printResult(ctx, rows);
    return `${selector} → ${rows.length} rows`;
  },
};
