import { PLUGIN_API_VERSION, type PluginManifest, type PluginModule } from '@tradeloop/contracts';
import { z } from 'zod';

const manifestSchema = z.object({
  kind: z.enum(['broker', 'datafeed']),
  apiVersion: z.literal(PLUGIN_API_VERSION, { error: `apiVersion must be ${PLUGIN_API_VERSION}` }),
  entry: z.string().min(1),
  displayName: z.string().optional(),
  defaults: z.record(z.string(), z.unknown()).optional(),
  fallback: z.boolean().optional(),
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
  if (module.kind !== manifest.kind)
    throw new Error(`entry exports kind "${String(module.kind)}" but the manifest says "${manifest.kind}"`);
  if (module.apiVersion !== PLUGIN_API_VERSION)
    throw new Error(`entry targets plugin API ${String(module.apiVersion)}, this server speaks ${PLUGIN_API_VERSION}`);
  if (typeof module.create !== 'function') throw new Error('entry default export has no create() function');
  return module as PluginModule;
}
