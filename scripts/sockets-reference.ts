// Renders docs/sockets.md, the readable reference of every socket, from docs/asyncapi.yaml:
// per socket its parameters, close codes, and each frame a client sends and receives with its
// keys, types and recorded examples. `npm run docs:sockets` writes it; a unit test checks that the
// committed page is what this renders.
import { Parser, type ChannelInterface, type MessageInterface } from '@asyncapi/parser';

/** The part of JSON Schema the document uses. */
export interface Schema {
  title?: string;
  description?: string;
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  propertyNames?: Schema;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  not?: Schema;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  contentMediaType?: string;
  contentSchema?: Schema;
}

/** One entry of a channel's `x-close-codes`. */
export interface CloseCode {
  code: number;
  reason: string;
  when: string;
}

/** What channels, servers and parameters say about themselves beyond the parser's accessors. */
interface Titled {
  title?: string;
  summary?: string;
  examples?: unknown[];
}

/** Parses the AsyncAPI document, refusing one with errors. */
export async function parseAsyncApi(source: string) {
  const { document, diagnostics } = await new Parser().parse(source);
  const errors = diagnostics.filter((d) => d.severity === 0);
  if (!document || errors.length > 0) {
    throw new Error(`docs/asyncapi.yaml is not valid AsyncAPI:\n${errors.map((d) => `${d.path.join('.')}: ${d.message}`).join('\n')}`);
  }
  return { document, diagnostics };
}

export function payloadOf(message: MessageInterface): Schema {
  return (message.payload()?.json() ?? {}) as Schema;
}

export function closeCodesOf(channel: ChannelInterface): CloseCode[] {
  return channel.extensions().get('x-close-codes')?.value<CloseCode[]>() ?? [];
}

/** A frame as it is written on the wire: a string example is raw text, anything else JSON. */
export function frameText(example: unknown): string {
  return typeof example === 'string' ? example : JSON.stringify(example);
}

const oneLine = (text: string | undefined): string => (text ?? '').trim().replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
/** Inline code; a `|` is escaped, which GitHub's tables need even inside code. */
const code = (text: string): string => `\`${text.replace(/\|/g, '\\|')}\``;
const anchorOf = (title: string): string => `value-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;

/** How a value's type reads in a table; a named value links to its row under "Values". */
function typeOf(schema: Schema, named = true): string {
  if (named && schema.title) return `[${schema.title}](#${anchorOf(schema.title)})`;
  if (schema.const !== undefined) return code(JSON.stringify(schema.const));
  if (schema.enum) return schema.enum.map((value) => code(JSON.stringify(value))).join(' \\| ');
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return alternatives.map((alternative) => typeOf(alternative)).join(' or ');
  const types = Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type];
  if (types.length === 0) return 'anything';
  const base = types
    .map((type) => (type === 'array' && schema.items ? `array of ${typeOf(schema.items)}` : type))
    .join(' or ');
  const limits: string[] = [];
  if (schema.contentMediaType === 'application/json') limits.push('JSON-encoded: its items are the `[]` rows');
  if (schema.minLength !== undefined) limits.push(`at least ${schema.minLength} characters`);
  if (schema.maxLength !== undefined) limits.push(`at most ${schema.maxLength} characters`);
  if (schema.maxItems !== undefined) limits.push(`at most ${schema.maxItems} items`);
  if (schema.minimum !== undefined) limits.push(`≥ ${schema.minimum}`);
  if (schema.maximum !== undefined && schema.maximum < Number.MAX_SAFE_INTEGER) limits.push(`≤ ${schema.maximum}`);
  if (schema.pattern !== undefined) limits.push(`matching ${code(schema.pattern)}`);
  if (schema.propertyNames) limits.push(`keys: ${typeOf(schema.propertyNames)}`);
  if (typeof schema.additionalProperties === 'object') limits.push(`values: ${typeOf(schema.additionalProperties)}`);
  return limits.length === 0 ? base : `${base} (${limits.join(', ')})`;
}

/** The object inside a value, whose keys get rows of their own: nested, in an array, or JSON-encoded. */
function innerObject(schema: Schema): { suffix: string; object: Schema } | undefined {
  if (schema.properties) return { suffix: '.', object: schema };
  if (schema.contentSchema) return innerObject(schema.contentSchema);
  if (schema.items?.properties) return { suffix: '[].', object: schema.items };
  const alternative = (schema.anyOf ?? schema.oneOf)?.find((s) => s.properties);
  return alternative && { suffix: '.', object: alternative };
}

function keyRows(object: Schema, prefix: string): string[] {
  const rows: string[] = [];
  for (const [key, value] of Object.entries(object.properties ?? {})) {
    const required = object.required?.includes(key) ? 'yes' : 'no';
    rows.push(`| ${code(prefix + key)} | ${typeOf(value)} | ${required} | ${oneLine(value.description)} |`);
    const inner = innerObject(value);
    if (inner) rows.push(...keyRows(inner.object, `${prefix}${key}${inner.suffix}`));
  }
  return rows;
}

function renderFrame(message: MessageInterface, direction: 'send' | 'receive'): string[] {
  const payload = payloadOf(message);
  const lines = [`#### ${code(message.name() ?? message.id())}: ${message.title() ?? ''}`, '', oneLine(message.summary()), ''];
  if (message.hasDescription()) lines.push(oneLine(message.description()), '');
  if (payload.properties) {
    lines.push('| key | type | required | |', '|---|---|---|---|', ...keyRows(payload, ''), '');
    const others = payload.additionalProperties === false ? 'No other keys.' : 'Other keys are ignored.';
    lines.push(direction === 'send' ? others : 'No other keys.', '');
  } else if (!payload.not) {
    lines.push(`The frame: ${typeOf(payload)}.`, '');
  }
  for (const example of message.examples().all()) {
    const text = frameText(example.payload());
    lines.push(example.name() ? `Example (${example.name()}):` : 'Example:', '', typeof example.payload() === 'string' ? '```text' : '```json', text, '```', '');
  }
  return lines;
}

function renderChannel(channel: ChannelInterface): string[] {
  const lines = [`<a id="${channel.id()}"></a>`, '', `## ${channel.json<Titled>().title ?? channel.id()}: ${code(channel.address() ?? '')}`, ''];
  lines.push(`**${oneLine(channel.json<Titled>().summary)}**`, '', oneLine(channel.description()), '');
  const parameters = channel.parameters().all();
  if (parameters.length > 0) {
    lines.push('| parameter | |', '|---|---|');
    for (const parameter of parameters) {
      const examples = parameter.json<Titled>().examples ?? [];
      const example = examples.length === 0 ? '' : ` Example: ${examples.map((e) => code(String(e))).join(', ')}.`;
      lines.push(`| ${code(`{${parameter.id()}}`)} | ${oneLine(parameter.description())}${example} |`);
    }
    lines.push('');
  }
  lines.push('Close codes:', '', '| code | reason | when |', '|---|---|---|');
  for (const close of closeCodesOf(channel)) lines.push(`| ${close.code} | ${close.reason === '' ? '(none)' : code(close.reason)} | ${oneLine(close.when)} |`);
  lines.push('');
  for (const action of ['send', 'receive'] as const) {
    lines.push(action === 'send' ? '### The client sends' : '### The client receives', '');
    for (const operation of channel.operations().all().filter((o) => o.action() === action)) {
      for (const message of operation.messages().all()) lines.push(...renderFrame(message, action));
    }
  }
  return lines;
}

/** The Markdown page for the document's source text. */
export async function renderSocketsReference(source: string): Promise<string> {
  const { document } = await parseAsyncApi(source);
  const channels = document.channels().all();
  const lines = [
    `# ${document.info().title()}`,
    '',
    '<!-- Generated from docs/asyncapi.yaml by `npm run docs:sockets`: edit that file, not this one. -->',
    '',
    document.info().description()?.trim() ?? '',
    '',
    '## Connecting',
    '',
  ];
  for (const server of document.servers().all()) {
    lines.push(`${code(`${server.protocol()}://${server.host()}`)}: ${server.json<Titled>().title ?? ''}.`, '', server.description()?.trim() ?? '', '');
    for (const requirement of server.security().flatMap((requirements) => requirements.all())) {
      const scheme = requirement.scheme();
      lines.push(`- ${scheme.in() ?? ''} ${code(scheme.name() ?? '')}: ${oneLine(scheme.description())}`);
    }
    lines.push('');
  }
  lines.push('## Sockets', '', '| path | socket | |', '|---|---|---|');
  for (const channel of channels) {
    lines.push(`| [${code(channel.address() ?? '')}](#${channel.id()}) | ${channel.json<Titled>().title ?? ''} | ${oneLine(channel.json<Titled>().summary)} |`);
  }
  lines.push('');
  for (const channel of channels) lines.push(...renderChannel(channel));
  lines.push('## Values', '', '| value | type | |', '|---|---|---|');
  const schemas = Object.values((document.json().components?.schemas ?? {}) as Record<string, Schema>);
  for (const schema of schemas.filter((s) => s.title)) {
    const title = schema.title ?? '';
    lines.push(`| <a id="${anchorOf(title)}"></a>${title} | ${typeOf(schema, false)} | ${oneLine(schema.description)} |`);
  }
  lines.push('');
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
