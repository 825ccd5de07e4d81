// @dendrite/core/testing: helpers every backend and package uses in its tests.
export { expectClose, type Tolerance } from './expect-close.js';
export { gradCheck, type GradCheckInput } from './gradcheck.js';
export { runConformanceSuite, evaluateCase, makeInputs, type ConformanceOptions } from './conformance.js';
export { CONFORMANCE_CASES, type ConformanceCase, type InputSpec } from './conformance-cases.js';
