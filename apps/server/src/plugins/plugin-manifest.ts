import { PLUGIN_API_VERSION, pluginKinds, type PluginManifest, type PluginModule } from '@tradeloop/contracts';
import { z } from 'zod';

const kind = z.enum(['broker', 'datafeed']);

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const scalar = z.union([z.string().max(500), z.number(), z.boolean()]);
const fieldSchema = z
  .object({
    type: z.enum(['string', 'number', 'integer', 'boolean']),
    title: z.string().max(100).optional(),
    description: z.string().max(1000).optional(),
    enum: z
      .array(z.union([z.string().max(200), z.number()]))
      .min(1)
      .max(50)
      .optional(),
    default: scalar.optional(),
    writeOnly: z.boolean().optional(),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    maxLength: z.number().int().positive().optional(),
    format: z.literal('uri').optional(),
    showWhen: z.record(z.string().regex(NAME), scalar).optional(),
  })
  .strict();
// The account form a broker's accounts are made with (JSON Schema's words for a small subset).
const accountSettingsSchema = z
  .object({
    brokerAccountId: z
      .object({ title: z.string().max(100).optional(), description: z.string().max(1000).optional() })
      .strict()
      .optional(),
    properties: z.record(z.string(), fieldSchema),
    required: z.array(z.string()).optional(),
    notes: z.array(z.string().max(1000)).max(20).optional(),
  })
  .strict()
  .refine((s) => Object.keys(s.properties).length <= 50, { error: 'at most 50 fields' })
  .refine((s) => Object.keys(s.properties).every((name) => NAME.test(name)), {
    error: 'a field name is letters, digits and _ (at most 64), starting with a letter',
  })
  .refine((s) => (s.required ?? []).every((name) => name in s.properties), { error: 'every required name must be a field in properties' });

const manifestSchema = z.object({
  // One kind, or both for a package that is a broker and a data feed.
  kind: z.union([
    kind,
    z
      .array(kind)
      .refine((kinds) => kinds.length === 2 && new Set(kinds).size === 2, { error: 'a list of kinds must be ["broker", "datafeed"]' }),
  ]),
  apiVersion: z.literal(PLUGIN_API_VERSION, { error: `apiVersion must be ${PLUGIN_API_VERSION}` }),
  entry: z.string().min(1),
  displayName: z.string().optional(),
  defaults: z.record(z.string(), z.unknown()).optional(),
  fallback: z.boolean().optional(),
  simulated: z.boolean().optional(),
  accountSettings: accountSettingsSchema.optional(),
});

/** Checks a package.json's `tradeloop` key; the message names every bad field. */
export function parseManifest(packageJson: unknown): PluginManifest {
  const raw = (packageJson as { tradeloop?: unknown } | null)?.tradeloop;
  if (raw === undefined) throw new Error('package.json has no "tradeloop" manifest');
  const result = manifestSchema.safeParse(raw);
  if (!result.success) {
    throw new Error(`invalid manifest: ${result.error.issues.map((i) => `tradeloop.${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return result.data;
}

/** Checks what the entry module exported against the manifest. */
export function checkPluginModule(exported: unknown, manifest: PluginManifest): PluginModule {
  const module = exported as Partial<PluginModule> | undefined;
  if (!module || typeof module !== 'object') throw new Error('entry has no default export');
  const exports = pluginKinds(module.kind as never)
    .map(String)
    .sort()
    .join('+');
  const declared = pluginKinds(manifest.kind).sort().join('+');
  if (exports !== declared) throw new Error(`entry exports kind "${exports || String(module.kind)}" but the manifest says "${declared}"`);
  if (module.apiVersion !== PLUGIN_API_VERSION)
    throw new Error(`entry targets plugin API ${String(module.apiVersion)}, this server speaks ${PLUGIN_API_VERSION}`);
  if (typeof module.create !== 'function') throw new Error('entry default export has no create() function');
  return module as PluginModule;
}
