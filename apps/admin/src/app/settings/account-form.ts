import type { AccountFieldSchema, AccountSettings, AccountSettingsSchema } from '@tradeloop/contracts';
import { accountFieldProblems, fieldApplies } from '@tradeloop/domain';

/** What the form holds per field: text boxes give text, checkboxes true/false. */
export type FieldValues = Record<string, string | number | boolean | null | undefined>;

export interface FormField extends AccountFieldSchema {
  name: string;
  /** The control the form shows for it. */
  control: 'select' | 'checkbox' | 'number' | 'password' | 'text';
  required: boolean;
}

/** The fields of a broker's schema, in the manifest's order, each with the control that edits it. */
export function formFields(schema: AccountSettingsSchema): FormField[] {
  return Object.entries(schema.properties).map(([name, field]) => ({
    ...field,
    name,
    required: schema.required?.includes(name) ?? false,
    control: field.enum
      ? 'select'
      : field.type === 'boolean'
        ? 'checkbox'
        : field.writeOnly
          ? 'password'
          : field.type === 'string'
            ? 'text'
            : 'number',
  }));
}

/** A fresh form: each field's default (secrets never have one). */
export function defaultValues(schema: AccountSettingsSchema | null): FieldValues {
  const values: FieldValues = {};
  for (const [name, field] of Object.entries(schema?.properties ?? {}))
    if (!field.writeOnly && field.default !== undefined) values[name] = field.default;
  return values;
}

/** Plain settings as the form holds them so far (for `showWhen`). */
const plain = (schema: AccountSettingsSchema, values: FieldValues): AccountSettings => {
  const settings: AccountSettings = {};
  for (const [name, field] of Object.entries(schema.properties)) {
    if (field.writeOnly) continue;
    const raw = values[name];
    if (raw === undefined || raw === null || raw === '') continue;
    if (field.type === 'boolean') settings[name] = raw === true || raw === 'true';
    else if (field.type === 'number' || field.type === 'integer')
      settings[name] = typeof raw === 'number' ? raw : Number(String(raw).trim());
    else settings[name] = String(raw).trim();
  }
  return settings;
};

/** The fields to show now: those whose `showWhen` the other values meet. */
export function visibleFields(schema: AccountSettingsSchema, values: FieldValues): FormField[] {
  const settings = plain(schema, values);
  return formFields(schema).filter((f) => fieldApplies(f, settings));
}

/**
 * The form's values split as the API takes them: plain fields into `settings` (typed), secret
 * fields (`writeOnly`) into `secrets`, empty ones and hidden ones left out; with every problem the
 * server would name, so the trader sees them before sending.
 */
export function splitFields(
  schema: AccountSettingsSchema,
  values: FieldValues,
): { settings: AccountSettings; secrets: Record<string, string>; problems: string[] } {
  const all = plain(schema, values);
  const settings: AccountSettings = {};
  const secrets: Record<string, string> = {};
  for (const [name, field] of Object.entries(schema.properties)) {
    if (!fieldApplies(field, all)) continue;
    if (field.writeOnly) {
      const raw = values[name];
      if (typeof raw === 'string' && raw !== '') secrets[name] = raw;
    } else if (all[name] !== undefined) settings[name] = all[name];
  }
  return { settings, secrets, problems: accountFieldProblems(schema, { settings, secrets }) };
}
