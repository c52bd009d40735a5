import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { FAULT_NAMES } from '../profiles/faults';
import { spec } from './openapi/generated/router';

// The YAML file is the source of truth; the router serves a generated copy.
// This fails when someone edits one without regenerating the other
// (`yarn workspace @dag-cicd/plugin-dag-cicd-backend generate:openapi`).
describe('openapi.yaml', () => {
  it('is what the generated router serves', () => {
    const yaml = YAML.parse(
      fs.readFileSync(path.join(__dirname, 'openapi.yaml'), 'utf8'),
    );
    expect(spec).toEqual(yaml);
  });

  it('names every fault the injector knows as a chaos rate, and no other', () => {
    expect(Object.keys(spec.components.schemas.FaultRates.properties)).toEqual([
      ...FAULT_NAMES,
    ]);
  });
});
