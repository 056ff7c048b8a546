// Route schemas compiled on a route's first request, not at start. Fastify's own compilers
// (Ajv for what a request brings, fast-json-stringify for what a response sends) compile every
// route's schemas before the server listens: about a fifth of a start, for routes a process may
// never serve. The same compilers, with the same options, run here on first use; their modules
// load then too.
import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';
import type { ValidatorFactory } from '@fastify/ajv-compiler';
import type { SerializerFactory } from '@fastify/fast-json-stringify-compiler';

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;

/** A compiled validator as Fastify calls it: Ajv's, with the errors of its last call. */
interface Validate {
  (data: unknown, context?: object): unknown;
  errors?: unknown;
}

type Serialize = (payload: unknown) => string;

// Fastify's default compilers, resolved from Fastify itself (they are its dependencies, not ours).
const fromFastify = createRequire(import.meta.resolve('fastify'));

function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

const validatorFactory = once(() => (fromFastify('@fastify/ajv-compiler') as () => ValidatorFactory)());
const serializerFactory = once(() => (fromFastify('@fastify/fast-json-stringify-compiler') as () => SerializerFactory)());

const buildValidator = ((externalSchemas: unknown, options: unknown) => {
  const compiler = once(() => (validatorFactory() as (schemas: unknown, options: unknown) => (route: unknown) => Validate)(externalSchemas, options));
  return (route: unknown): Validate => {
    const compiled = once(() => compiler()(route));
    const validate: Validate = (data, context) => {
      const ajv = compiled();
      const result = ajv(data, context);
      validate.errors = ajv.errors;
      return result;
    };
    // Fastify hands Ajv's validators their parent (so Ajv may replace the root value) when they
    // carry a schemaEnv; this one stands for an Ajv validator and passes it on.
    return Object.assign(validate, { schemaEnv: true });
  };
}) as unknown as ValidatorFactory;

const buildSerializer = ((externalSchemas: unknown, options: unknown) => {
  const compiler = once(() => (serializerFactory() as (schemas: unknown, options: unknown) => (route: unknown) => Serialize)(externalSchemas, options));
  return (route: unknown): Serialize => {
    const compiled = once(() => compiler()(route));
    return (payload) => compiled()(payload);
  };
}) as unknown as SerializerFactory;

/** Fastify's `schemaController.compilersFactory`: its own compilers, each schema compiled on first use. */
export const lazyCompilers: CompilersFactory = { buildValidator, buildSerializer };
