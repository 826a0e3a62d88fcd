import { esc, page } from './html.ts';

/** Renders the OpenAPI document as one static HTML reference page. */

type Json = Record<string, unknown>;

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

function obj(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function resolve(spec: Json, schema: Json): { schema: Json; name?: string } {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return { schema };
  const name = ref.split('/').pop() as string;
  return { schema: obj(obj(obj(spec.components).schemas)[name]), name };
}

function typeLabel(spec: Json, raw: Json): string {
  const { schema, name } = resolve(spec, raw);
  if (name) return `<a href="#schema-${esc(name)}">${esc(name)}</a>`;
  if (Array.isArray(schema.oneOf))
    return schema.oneOf.map((s) => typeLabel(spec, obj(s))).join(' | ');
  if (Array.isArray(schema.allOf))
    return schema.allOf.map((s) => typeLabel(spec, obj(s))).join(' & ');
  const t = Array.isArray(schema.type) ? schema.type.join(' | ') : String(schema.type ?? 'any');
  if (t.includes('array')) return `array of ${typeLabel(spec, obj(schema.items))}`;
  const enumText = Array.isArray(schema.enum)
    ? ` (${schema.enum.map((v) => `<code>${esc(JSON.stringify(v))}</code>`).join(', ')})`
    : '';
  const format = schema.format ? ` <span class="muted">${esc(schema.format)}</span>` : '';
  return `${esc(t)}${format}${enumText}`;
}

function propertiesTable(spec: Json, raw: Json): string {
  const { schema } = resolve(spec, raw);
  const props = obj(schema.properties);
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const rows = Object.entries(props).map(([name, value]) => {
    const p = obj(value);
    const constraints = [
      'minimum',
      'maximum',
      'minLength',
      'maxLength',
      'maxItems',
      'pattern',
      'default',
    ]
      .filter((k) => p[k] !== undefined)
      .map((k) => `${k} <code>${esc(JSON.stringify(p[k]))}</code>`)
      .join(', ');
    return `<tr><td><code>${esc(name)}</code>${required.has(name) ? '' : ' <span class="muted">optional</span>'}</td><td>${typeLabel(spec, p)}</td><td>${esc(p.description ?? '')}${constraints ? `<br><span class="muted">${constraints}</span>` : ''}</td></tr>`;
  });
  if (rows.length === 0) return `<p>${typeLabel(spec, raw)}</p>`;
  return `<table><tr><th>field</th><th>type</th><th>notes</th></tr>${rows.join('')}</table>`;
}

function content(spec: Json, body: Json): string {
  const media = obj(body.content);
  return Object.entries(media)
    .map(([type, m]) => {
      const schema = obj(obj(m).schema);
      return `<p class="muted"><code>${esc(type)}</code></p>${Object.keys(schema).length ? propertiesTable(spec, schema) : ''}`;
    })
    .join('');
}

function operation(spec: Json, path: string, method: string, op: Json): string {
  const params = (Array.isArray(op.parameters) ? op.parameters : []).map((p) => {
    const param = obj(p).$ref
      ? obj(obj(obj(spec.components).parameters)[String(obj(p).$ref).split('/').pop() as string])
      : obj(p);
    return `<tr><td><code>${esc(param.name)}</code></td><td>${esc(param.in)}</td><td>${typeLabel(spec, obj(param.schema))}</td><td>${esc(param.description ?? '')}</td></tr>`;
  });
  const security = Array.isArray(op.security)
    ? op.security.map((s) => Object.keys(obj(s)).join(' + ')).join(' or ') || 'none'
    : 'bearer (user or service token)';
  const responses = Object.entries(obj(op.responses)).map(([status, r]) => {
    const resp = obj(r).$ref
      ? obj(obj(obj(spec.components).responses)[String(obj(r).$ref).split('/').pop() as string])
      : obj(r);
    return `<details><summary><strong>${esc(status)}</strong> ${esc(resp.description ?? '')}</summary>${content(spec, resp)}</details>`;
  });
  const id = `${method}-${path}`.replace(/[^A-Za-z0-9]+/g, '-');
  return `<section class="card" id="${esc(id)}">
<h3><span class="badge ${method}">${method.toUpperCase()}</span><code>${esc(path)}</code></h3>
<p><strong>${esc(op.summary ?? '')}</strong></p>${op.description ? `<p>${esc(op.description)}</p>` : ''}
<p class="muted">Auth: ${esc(security)}</p>
${params.length ? `<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>type</th><th>notes</th></tr>${params.join('')}</table>` : ''}
${op.requestBody ? `<h4>Request body${obj(op.requestBody).required ? '' : ' (optional)'}</h4>${content(spec, obj(op.requestBody))}` : ''}
<h4>Responses</h4>${responses.join('')}
</section>`;
}

export function renderApiDocs(spec: Json): string {
  const info = obj(spec.info);
  const ops: { tag: string; html: string; link: string }[] = [];
  for (const [path, item] of Object.entries(obj(spec.paths))) {
    for (const method of METHODS) {
      const op = obj(obj(item)[method]);
      if (Object.keys(op).length === 0) continue;
      const tag = Array.isArray(op.tags) ? String(op.tags[0]) : 'other';
      const id = `${method}-${path}`.replace(/[^A-Za-z0-9]+/g, '-');
      ops.push({
        tag,
        html: operation(spec, path, method, op),
        link: `<a href="#${esc(id)}"><span class="badge ${method}">${method.toUpperCase()}</span>${esc(path)}</a>`,
      });
    }
  }
  const tags = [...new Set(ops.map((o) => o.tag))];
  const nav = tags
    .map(
      (t) =>
        `<h4>${esc(t)}</h4><nav>${ops
          .filter((o) => o.tag === t)
          .map((o) => o.link)
          .join('')}</nav>`,
    )
    .join('');
  const body = tags
    .map(
      (t) =>
        `<h2>${esc(t)}</h2>${ops
          .filter((o) => o.tag === t)
          .map((o) => o.html)
          .join('')}`,
    )
    .join('');
  const schemas = Object.entries(obj(obj(spec.components).schemas))
    .map(
      ([name, s]) =>
        `<section class="card" id="schema-${esc(name)}"><h3><code>${esc(name)}</code></h3>${obj(s).description ? `<p>${esc(obj(s).description)}</p>` : ''}${propertiesTable(spec, obj(s))}</section>`,
    )
    .join('');
  return page(
    `${String(info.title ?? 'API')} reference`,
    `<main><h1>${esc(info.title)}</h1><p class="muted">Version ${esc(info.version)} · <a href="/openapi.yaml">openapi.yaml</a></p>
<p>${esc(info.description ?? '')}</p>
<div class="card"><h2 style="margin-top:0">Operations</h2>${nav}</div>${body}<h2>Schemas</h2>${schemas}</main>`,
  );
}
