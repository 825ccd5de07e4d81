// @dendrite/core/testing: helpers every backend and package uses in its tests.
export { expectClose, type Tolerance } from './expect-close.js';
export { gradCheck, type GradCheckInput } from './gradcheck.js';
export { runConformanceSuite, evaluateCase, makeInputs, type CaseResult, type ConformanceOptions } from './conformance.js';
export { CONFORMANCE_CASES, type ConformanceCase, type InputSpec } from './conformance-cases.js';
// Kernel-level checks (below the ops): plain functions, vitest-free, so a browser page can run them too.
export {
  compare, kernelCaseOutput, kernelCases, randomValues, runKernelCase, type HostTensor, type KernelCase,
} from './kernel-checks.js';
export { runKernelChecks, type KernelCheckOptions } from './kernel-check-suite.js';
