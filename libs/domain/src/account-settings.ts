import type { AccountFieldSchema, AccountSettings, AccountSettingsSchema } from '@tradeloop/contracts';

/** What an account's fields are checked against: settings (plain) and the names of the secrets it has. */
export interface AccountFieldsInput {
  settings: AccountSettings;
  /** Secret values sent now (checked for type and length), by name. */
  secrets: Record<string, string>;
  /** Names of secrets the account already has (an update keeps those it does not send). */
  keptSecrets?: string[];
}

const isEmpty = (value: unknown) => value === undefined || value === null || value === '';

/** Whether a field applies, given the other fields (`showWhen`). */
export function fieldApplies(field: AccountFieldSchema, settings: AccountSettings): boolean {
  return Object.entries(field.showWhen ?? {}).every(([name, wanted]) => String(settings[name] ?? '') === String(wanted));
}

function valueProblem(name: string, field: AccountFieldSchema, value: unknown): string | undefined {
  switch (field.type) {
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `${name} must be true or false`;
    case 'number':
    case 'integer': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return `${name} must be a number`;
      if (field.type === 'integer' && !Number.isInteger(value)) return `${name} must be a whole number`;
      if (field.minimum !== undefined && value < field.minimum) return `${name} must be at least ${field.minimum}`;
      if (field.maximum !== undefined && value > field.maximum) return `${name} must be at most ${field.maximum}`;
      break;
    }
    case 'string': {
      if (typeof value !== 'string') return `${name} must be text`;
      if (field.maxLength !== undefined && value.length > field.maxLength) return `${name} must be at most ${field.maxLength} characters`;
      if (field.format === 'uri' && !/^https?:\/\/[^\s/]+/i.test(value)) return `${name} must be an http(s) address`;
      break;
    }
  }
  if (field.enum && !field.enum.includes(value as string | number))
    return `${name} must be one of ${field.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  return undefined;
}

/**
 * Every way an account's fields miss its broker's schema, in words naming the field: a required one
 * missing, a value of the wrong type or outside its bounds, a secret sent as a plain setting (it
 * would be stored unsealed and shown back) or a plain setting sent as a secret. Names the schema
 * does not list are left alone (a broker may take more than its form shows).
 */
export function accountFieldProblems(schema: AccountSettingsSchema, input: AccountFieldsInput): string[] {
  const problems: string[] = [];
  const { settings, secrets } = input;
  for (const [name, field] of Object.entries(schema.properties)) {
    const applies = fieldApplies(field, settings);
    if (field.writeOnly) {
      if (!isEmpty(settings[name])) problems.push(`${name} is a secret: send it in secrets, where it is sealed, not in settings`);
      const value = secrets[name];
      if (value !== undefined && value !== '') {
        const problem = valueProblem(`secrets.${name}`, field, value);
        if (problem) problems.push(problem);
      } else if (applies && schema.required?.includes(name) && !input.keptSecrets?.includes(name))
        problems.push(`secrets.${name} is required`);
      continue;
    }
    if (secrets[name] !== undefined) problems.push(`${name} is not a secret: send it in settings`);
    const value = settings[name];
    if (isEmpty(value)) {
      if (applies && schema.required?.includes(name))
        problems.push(`settings.${name} is required${field.title ? ` (${field.title})` : ''}`);
      continue;
    }
    const problem = valueProblem(`settings.${name}`, field, value);
    if (problem) problems.push(problem);
  }
  return problems;
}
