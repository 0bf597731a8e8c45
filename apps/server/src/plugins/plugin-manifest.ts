import { PLUGIN_API_VERSION, pluginKinds, type PluginManifest, type PluginModule } from '@tradeloop/contracts';
import { z } from 'zod';

const kind = z.enum(['broker', 'datafeed']);

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
