import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse } from 'yaml';

/**
 * Validates bodies against the Open Inference Protocol's OpenAPI file (a copy, unchanged, in
 * test/open-inference-protocol/) with ajv: the response schema the spec gives for the path,
 * method and status; an error status uses the operation's documented error schema.
 */
const specUrl = new URL(
  '../../test/open-inference-protocol/open_inference_rest.yaml',
  import.meta.url,
);
// biome-ignore lint/suspicious/noExplicitAny: the parsed YAML is walked by path
const spec: any = parse(readFileSync(specUrl, 'utf8'));

// OpenAPI 3.0 schema objects are JSON schemas with a few extra keywords (x-examples, title).
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addSchema({ $id: 'oip', components: spec.components });

function operation(method: string, path: string) {
  for (const [template, item] of Object.entries(spec.paths)) {
    const pattern = template
      .replace(/\$\{MODEL_NAME\}/g, '[^/]+')
      // The spec writes the version as required; the prose makes it optional.
      .replace(/\/versions\/\$\{MODEL_VERSION\}/, '(?:/versions/[^/]+)?')
      .replace(/\/$/, '/?');
    // biome-ignore lint/suspicious/noExplicitAny: see above
    const op = (item as any)[method.toLowerCase()];
    if (op !== undefined && new RegExp(`^${pattern}$`).test(path)) return op;
  }
  throw new Error(`the Open Inference Protocol has no ${method} ${path}`);
}

const refOf = (response: unknown) =>
  // biome-ignore lint/suspicious/noExplicitAny: see above
  (response as any)?.content?.['application/json']?.schema?.$ref as string | undefined;

/** Returns ajv's errors (empty when valid); throws when the spec has no such operation. */
export function specErrors(
  kind: 'request' | 'response',
  method: string,
  path: string,
  status: number,
  body: unknown,
): string[] {
  const op = operation(method, path);
  let ref: string | undefined;
  if (kind === 'request') {
    ref = refOf(op.requestBody);
  } else if (status < 400) {
    ref = refOf(op.responses[String(status)]);
  } else {
    ref = refOf(op.responses['400']) ?? '#/components/schemas/metadata_model_error_response';
  }
  if (ref === undefined) return [];
  const validate = ajv.getSchema(`oip${ref}`);
  if (validate === undefined) throw new Error(`no schema ${ref}`);
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}
