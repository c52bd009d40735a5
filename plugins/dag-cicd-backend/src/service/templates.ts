import { InputError } from '@backstage/errors';

// `{name}`; a brace that is not part of one is a mistake, not literal text.
const PLACEHOLDER = /\{([^{}]*)\}/g;
const VARIABLE = /^[a-zA-Z][a-zA-Z0-9_]*$/;

/**
 * Renders an artifact template such as `s3://artifacts/etl/{commit}/etl.jar`
 * for one environment. A variable the environment does not define is an
 * error naming the field and the variables there are: a silently blank
 * `{comit}` would point a run at `s3://artifacts/etl//etl.jar`.
 *
 * @throws InputError for an unknown variable or a stray brace
 */
export function renderTemplate(
  field: string,
  template: string,
  variables: Record<string, string>,
): string {
  const rendered = template.replace(PLACEHOLDER, (_, name: string) => {
    if (!VARIABLE.test(name) || !Object.hasOwn(variables, name)) {
      throw new InputError(
        `${field}: unknown template variable {${name}} in ${JSON.stringify(
          template,
        )}; the variables are ${Object.keys(variables)
          .map(v => `{${v}}`)
          .join(', ')}`,
      );
    }
    return variables[name];
  });
  if (/[{}]/.test(rendered)) {
    throw new InputError(
      `${field}: unbalanced brace in template ${JSON.stringify(template)}`,
    );
  }
  return rendered;
}
