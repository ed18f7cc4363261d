/** The exec driver conformance suite on the native backend (berth-helper shims; needs root). */
import t from 'tap';

import { execDriverConformance } from './execdriver.js';
import { nativeFixture, nativeMissing } from './execdriver-native-fixture.js';

const skip = nativeMissing();
if (skip) {
  t.comment(`skipping the native exec driver suite: ${skip}`);
  t.pass('skipped', { skip });
} else {
  execDriverConformance(t, nativeFixture(t));
}
