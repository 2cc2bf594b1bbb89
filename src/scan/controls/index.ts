import { CATALOGUE } from '../catalogue.js';
import type { Control, ControlId } from '../types.js';

// ---- D1 controls (engine owner) ------------------------------------------------------------
import { ai01 } from './ai-01.js';
import { ai02 } from './ai-02.js';
import { ai03 } from './ai-03.js';
import { ai04 } from './ai-04.js';
import { ai05 } from './ai-05.js';
import { sc01 } from './sc-01.js';
import { sc02 } from './sc-02.js';
import { sc03 } from './sc-03.js';
import { sc04 } from './sc-04.js';
import { sc05 } from './sc-05.js';
import { cd01 } from './cd-01.js';
import { cd02 } from './cd-02.js';
import { cd04 } from './cd-04.js';
import { pr01 } from './pr-01.js';
import { pr02 } from './pr-02.js';
import { pr03 } from './pr-03.js';
import { pr04 } from './pr-04.js';
import { pr05 } from './pr-05.js';

// ---- D2 controls: add ONE import line per control here ----------------------------------------
import { cq01 } from './cq-01.js';
import { cq02 } from './cq-02.js';
import { cq03 } from './cq-03.js';
import { cq04 } from './cq-04.js';
import { cq05 } from './cq-05.js';
import { cq06 } from './cq-06.js';
import { cd03 } from './cd-03.js';

/** Every implemented control, keyed by id. Missing ids are evaluated as `error` (fail closed). */
const implemented: Partial<Record<ControlId, Control>> = {
  // D1 entries
  'AI-01': ai01,
  'AI-02': ai02,
  'AI-03': ai03,
  'AI-04': ai04,
  'AI-05': ai05,
  'SC-01': sc01,
  'SC-02': sc02,
  'SC-03': sc03,
  'SC-04': sc04,
  'SC-05': sc05,
  'CD-01': cd01,
  'CD-02': cd02,
  'CD-04': cd04,
  'PR-01': pr01,
  'PR-02': pr02,
  'PR-03': pr03,
  'PR-04': pr04,
  'PR-05': pr05,

  // D2 entries: uncomment as each lands
  'CQ-01': cq01,
  'CQ-02': cq02,
  'CQ-03': cq03,
  'CQ-04': cq04,
  'CQ-05': cq05,
  'CQ-06': cq06,
  'CD-03': cd03,
};

/** A catalogue entry with no detector yet: always `error`, never `pass`. */
function notImplemented(id: ControlId): Control {
  const entry = CATALOGUE.find((c) => c.id === id)!;
  return {
    id,
    name: entry.name,
    level: entry.level,
    domain: entry.domain,
    evaluate: async () => ({
      status: 'error',
      reason: 'detector not implemented',
      findings: [],
      errors: [`${id}: detector not implemented`],
    }),
  };
}

/** All 25 controls in catalogue order. */
export function allControls(): Control[] {
  return CATALOGUE.map((entry) => {
    const control = implemented[entry.id] ?? notImplemented(entry.id);
    if (control.id !== entry.id || control.level !== entry.level || control.domain !== entry.domain) {
      throw new Error(`control ${entry.id} does not match the catalogue`);
    }
    return control;
  });
}
