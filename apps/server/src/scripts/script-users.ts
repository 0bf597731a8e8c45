/**
 * Which strategies run which script, for the scripts list. Scripts sit below strategies (a
 * strategy names a script, never the reverse), so the strategies module provides this, app-wide.
 */
export abstract class ScriptUsers {
  /** Script name → the ids of the strategies that run it. */
  abstract byScript(): Promise<Map<string, string[]>>;
}
